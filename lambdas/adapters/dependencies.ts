import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConversationService } from '../domain/conversations';
import { FanoutService } from '../domain/fanout';
import { MessagingService } from '../domain/messaging';
import { sharedDocumentClient, sharedManagementClient } from '../shared/clients';
import { tableConfig } from '../shared/config';
import { ApiGatewayConnectionNotifier } from './connection-notifier';
import { DynamoConnectionRegistry } from './connection-registry';
import { DynamoConversationStore } from './conversation-store';
import { DynamoMessageLog } from './message-log';

/**
 * The composition root: domain services wired to their DynamoDB adapters. Handlers call the
 * memoised getters; tests build their own with `createTableDependencies`.
 */
export const createTableDependencies = (client: DynamoDBDocumentClient, tableName: string) => {
  const log = new DynamoMessageLog(client, tableName);
  const store = new DynamoConversationStore(client, tableName);
  const connections = new DynamoConnectionRegistry(client, tableName);
  return {
    log,
    store,
    connections,
    messaging: new MessagingService(log),
    conversations: new ConversationService(store, log),
  };
};

export type TableDependencies = ReturnType<typeof createTableDependencies>;

let table: TableDependencies | undefined;
export const tableDependencies = (): TableDependencies => {
  table ??= createTableDependencies(sharedDocumentClient(), tableConfig().tableName);
  return table;
};

let fanout: FanoutService | undefined;
export const fanoutService = (): FanoutService => {
  if (!fanout) {
    const { store, connections } = tableDependencies();
    fanout = new FanoutService(
      store,
      connections,
      new ApiGatewayConnectionNotifier(sharedManagementClient()),
    );
  }
  return fanout;
};
