import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/dynamodb-local';
import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from '../../../local/runtime';
import type { PushNotification } from '../../../local/sns/sns-stand-in';
import { TestSocket } from './test-socket';

export interface LocalStack {
  readonly runtime: LocalRuntime;
  /** A document client on the runtime's table (the run's DynamoDB Local). */
  readonly db: DynamoDBDocumentClient;
  /** A token for the user and a socket opened with it. */
  connect(userId: string, deviceId: string): Promise<TestSocket>;
  token(userId: string): Promise<{ token: string; wsUrl: string }>;
  /** The push notifications the SNS stand-in recorded for the user (GET /dev/push). */
  pushes(userId: string): Promise<PushNotification[]>;
  stop(): Promise<void>;
}

/**
 * The local runtime on a free port, on the run's DynamoDB Local (globalSetup) with a fresh table, with
 * the real Lambda handlers unless some are replaced.
 */
export const startLocalStack = async (options: LocalRuntimeOptions = {}): Promise<LocalStack> => {
  const runtime = await startLocalRuntime({
    port: 0,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: `e2e-${randomUUID()}`,
    quiet: true,
    ...options,
  });
  const client = new DynamoDBClient({
    endpoint: runtime.endpoints.dynamodb,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const db = DynamoDBDocumentClient.from(client);
  const token = async (userId: string) => {
    const response = await fetch(`${runtime.url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId }),
    });
    if (response.status !== 200) throw new Error(`POST /dev/token answered ${response.status}`);
    return (await response.json()) as { token: string; wsUrl: string };
  };
  return {
    runtime,
    db,
    token,
    pushes: async (userId) => {
      const response = await fetch(`${runtime.url}/dev/push?userId=${encodeURIComponent(userId)}`);
      return ((await response.json()) as { notifications: PushNotification[] }).notifications;
    },
    connect: async (userId, deviceId) => {
      const { token: jwt, wsUrl } = await token(userId);
      return TestSocket.open(
        `${wsUrl}?token=${encodeURIComponent(jwt)}&deviceId=${encodeURIComponent(deviceId)}`,
      );
    },
    stop: async () => {
      await runtime.stop();
      client.destroy();
    },
  };
};
