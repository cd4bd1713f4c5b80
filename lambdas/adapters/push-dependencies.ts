import type { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Clock, systemClock } from '../domain/ports';
import { PushService } from '../domain/push';
import type { pushConfig } from '../shared/config';
import { DynamoPushCoalescer } from './push-coalescer';
import { DynamoPushEndpointStore } from './push-endpoint-store';
import { SnsPushGateway } from './sns-push-gateway';

export type PushConfig = ReturnType<typeof pushConfig>;

/** Push off: no platform application, so tokens are stored and nothing is published. */
export const PUSH_OFF: PushConfig = { platformApplications: {}, coalesceSeconds: 30 };

/**
 * The push service wired to DynamoDB and SNS. With no platform application configured the SNS client
 * is never called.
 */
export const createPushService = (
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  snsClient: SNSClient,
  config: PushConfig,
  clock: Clock = systemClock,
): PushService =>
  new PushService(
    new DynamoPushEndpointStore(documentClient, tableName),
    new SnsPushGateway(snsClient, config.platformApplications),
    new DynamoPushCoalescer(documentClient, tableName),
    { coalesceSeconds: config.coalesceSeconds },
    clock,
  );
