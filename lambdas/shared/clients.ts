import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { connectionsConfig, snsConfig, tableConfig } from './config';

/**
 * AWS SDK clients, built once per process (module scope, on first use) from the environment.
 * Locally the endpoints point at DynamoDB Local, the local gateway and the SNS stand-in.
 */

export const createDocumentClient = (client: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

let documentClient: DynamoDBDocumentClient | undefined;
export const sharedDocumentClient = (): DynamoDBDocumentClient => {
  if (!documentClient) {
    const { endpoint } = tableConfig();
    documentClient = createDocumentClient(new DynamoDBClient(endpoint ? { endpoint } : {}));
  }
  return documentClient;
};

let managementClient: ApiGatewayManagementApiClient | undefined;
export const sharedManagementClient = (): ApiGatewayManagementApiClient => {
  managementClient ??= new ApiGatewayManagementApiClient({ endpoint: connectionsConfig().endpoint });
  return managementClient;
};

let snsClient: SNSClient | undefined;
export const sharedSnsClient = (): SNSClient => {
  if (!snsClient) {
    const { endpoint } = snsConfig();
    snsClient = new SNSClient(endpoint ? { endpoint } : {});
  }
  return snsClient;
};
