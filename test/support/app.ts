import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  createTableDependencies,
  type DependencyOptions,
  type TableDependencies,
} from '../../lambdas/adapters/dependencies';
import { handleRequest } from '../../lambdas/handlers/request';
import type { WebSocketEvent } from '../../lambdas/handlers/websocket-event';
import type { ServerFrame } from '../../lambdas/shared/protocol';
import { createTestTable } from './dynamo';

/** A fresh table with the real adapters, and a way to send frames through the request handler. */
export const createTestApp = async (options: DependencyOptions = {}) => {
  const table = await createTestTable();
  const deps: TableDependencies = createTableDependencies(table.documentClient, table.tableName, options);

  const event = (userId: string, body: string, connectionId = `conn-${userId}`): WebSocketEvent => ({
    requestContext: {
      routeKey: '$default',
      eventType: 'MESSAGE',
      connectionId,
      requestId: randomUUID(),
      authorizer: { principalId: userId, userId, deviceId: `device-${userId}` },
    },
    body,
    isBase64Encoded: false,
  });

  /** Sends a frame as `userId` and answers the parsed reply frame. */
  const request = async <T extends ServerFrame = ServerFrame>(
    userId: string,
    frame: Record<string, unknown> | string,
  ): Promise<T> => {
    const body = typeof frame === 'string' ? frame : JSON.stringify({ requestId: randomUUID(), ...frame });
    const result = await handleRequest(event(userId, body), deps);
    return JSON.parse(result.body ?? 'null') as T;
  };

  const scanAll = async (): Promise<Record<string, unknown>[]> => {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await table.documentClient.send(
        new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
      );
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  };

  return { ...table, deps, event, request, scanAll };
};

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;
