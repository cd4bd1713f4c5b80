import { type TableDependencies, tableDependencies } from '../adapters/dependencies';
import { logger } from '../shared/logger';
import { callerOf, type WebSocketEvent, type WebSocketResult } from './websocket-event';

/** $connect: runs inside the handshake; a non-2xx answer refuses the connection. */
export const handleConnect = async (
  event: WebSocketEvent,
  deps: TableDependencies,
): Promise<WebSocketResult> => {
  const caller = callerOf(event);
  const connectedAt = new Date(event.requestContext.connectedAt ?? Date.now()).toISOString();
  await deps.connections.add({ ...caller, connectedAt });
  logger.info('connected', {
    userId: caller.userId,
    connectionId: caller.connectionId,
    deviceId: caller.deviceId,
  });
  return { statusCode: 200 };
};

export const handler = (event: WebSocketEvent): Promise<WebSocketResult> =>
  handleConnect(event, tableDependencies());
