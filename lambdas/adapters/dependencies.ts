import type { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ActivityService } from '../domain/activity';
import { ConversationService } from '../domain/conversations';
import { FanoutService, type OfflineNotifier } from '../domain/fanout';
import { GroupService } from '../domain/groups';
import { MessagingService } from '../domain/messaging';
import type { Clock, ConnectionNotifier, RateLimit } from '../domain/ports';
import { systemClock } from '../domain/ports';
import { PresenceService } from '../domain/presence';
import { sharedDocumentClient, sharedManagementClient, sharedSnsClient } from '../shared/clients';
import { pushConfig, tableConfig } from '../shared/config';
import { ApiGatewayConnectionNotifier } from './connection-notifier';
import { DynamoConnectionRegistry } from './connection-registry';
import { DynamoConversationStore } from './conversation-store';
import { DynamoMessageLog } from './message-log';
import { DynamoPresenceStore } from './presence-store';
import { createPushService, PUSH_OFF, type PushConfig } from './push-dependencies';
import { DynamoRateLimiter } from './rate-limiter';

export interface DependencyOptions {
  clock?: Clock;
  /** Replaces the per-user send quota (undefined keeps the default; null turns it off). */
  sendQuota?: RateLimit | null;
  typingQuota?: RateLimit;
  groupQuota?: RateLimit;
  connectionCap?: number;
  /** Where typing notices are posted; the stage's @connections API by default. */
  notifier?: ConnectionNotifier;
  offline?: OfflineNotifier;
  /** Push platform applications and coalescing window; push off (no SNS call) by default. */
  push?: PushConfig;
  /** The SNS client push uses; the shared one (SNS_ENDPOINT) by default. */
  sns?: SNSClient;
}

/**
 * The composition root: domain services wired to their DynamoDB adapters. Handlers call the
 * memoised getters; tests build their own with `createTableDependencies`.
 */
export const createTableDependencies = (
  client: DynamoDBDocumentClient,
  tableName: string,
  options: DependencyOptions = {},
) => {
  const clock = options.clock ?? systemClock;
  const log = new DynamoMessageLog(client, tableName);
  const store = new DynamoConversationStore(client, tableName);
  const presenceStore = new DynamoPresenceStore(client, tableName);
  const connections = new DynamoConnectionRegistry(client, tableName, presenceStore, () =>
    Math.floor(clock.now().getTime() / 1000),
  );
  const limiter = new DynamoRateLimiter(client, tableName);
  const conversations = new ConversationService(store, log, clock);
  const push = createPushService(
    client,
    tableName,
    options.sns ?? sharedSnsClient(),
    options.push ?? PUSH_OFF,
    clock,
  );
  // The notifier is built on first use: handlers that never post need no @connections endpoint.
  let notifier = options.notifier;
  const lazyNotifier: ConnectionNotifier = {
    post: (connectionId, frame) => {
      notifier ??= new ApiGatewayConnectionNotifier(sharedManagementClient());
      return notifier.post(connectionId, frame);
    },
  };
  return {
    log,
    store,
    connections,
    presenceStore,
    limiter,
    notifier: lazyNotifier,
    conversations,
    messaging: new MessagingService(log, clock, options.sendQuota),
    groups: new GroupService(
      store,
      log,
      conversations,
      limiter,
      clock,
      options.groupQuota && { changes: options.groupQuota },
    ),
    push,
    presence: new PresenceService(connections, presenceStore, clock, options.connectionCap),
    activity: new ActivityService(store, connections, lazyNotifier, limiter, clock, options.typingQuota),
    fanout: new FanoutService({
      conversations: store,
      connections,
      presence: presenceStore,
      notifier: lazyNotifier,
      offline: options.offline ?? push,
    }),
  };
};

export type TableDependencies = ReturnType<typeof createTableDependencies>;

let table: TableDependencies | undefined;
export const tableDependencies = (): TableDependencies => {
  table ??= createTableDependencies(sharedDocumentClient(), tableConfig().tableName, { push: pushConfig() });
  return table;
};
