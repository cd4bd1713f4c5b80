import { readFileSync } from 'node:fs';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { addMessengerStack } from '../../lib/messenger-app';
import type { MessengerStack } from '../../lib/messenger-stack';

/** The feature flags and settings of cdk.json, so the tests synthesize what `cdk synth` does. */
const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

export interface Synthesized {
  readonly app: App;
  readonly stack: MessengerStack;
  readonly template: Template;
}

/**
 * A fresh app and Messenger stack with the given context, synthesized without bundling the Lambdas
 * ('aws:cdk:bundling-stacks': []). Synthesis runs the cdk-nag validation plugin too.
 */
export const synthMessenger = (context: Record<string, unknown> = {}): Synthesized => {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = addMessengerStack(app);
  return { app, stack, template: Template.fromStack(stack) };
};

export const logicalIdOf = (stack: Stack, construct: IConstruct): string => {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return stack.resolve(element.logicalId) as string;
};

export interface Statement {
  Action: string | string[];
  Effect: string;
  Resource: unknown;
}

/** Every statement of the policies attached to a function's role. */
export const statementsOf = (synthesized: Synthesized, fn: IFunction): Statement[] => {
  const role = fn.role;
  if (!role) throw new Error('function without a role');
  const roleId = logicalIdOf(synthesized.stack, role);
  const policies = synthesized.template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
};

export const actionsOf = (statements: Statement[]): string[] =>
  statements.flatMap((statement) =>
    Array.isArray(statement.Action) ? statement.Action : [statement.Action],
  );
