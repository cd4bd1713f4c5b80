import { type Stack, Token } from 'aws-cdk-lib';

/**
 * The start of an ARN made by `Stack.formatArn`, as cdk-nag spells it in a finding id: unresolved
 * partition, region and account become `<AWS::Partition>`, `<AWS::Region>`, `<AWS::AccountId>`.
 * Granular findings (AwsSolutions-IAM5[Resource::…]) are acknowledged one by one in cdk-nag v3.
 */
export const nagArnPrefix = (stack: Stack, service: string): string => {
  const part = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  return `arn:${part(stack.partition, 'Partition')}:${service}:${part(stack.region, 'Region')}:${part(stack.account, 'AccountId')}:`;
};
