import { type TableDependencies, tableDependencies } from '../adapters/dependencies';
import { AppError } from '../shared/errors';
import { logger } from '../shared/logger';
import { callerOf, type WebSocketEvent, type WebSocketResult } from './websocket-event';

/** $connect: runs inside the handshake; a non-2xx answer refuses the connection. */
export const handleConnect = async (
  event: WebSocketEvent,
  deps: TableDependencies,
): Promise<WebSocketResult> => {
  const caller = callerOf(event);
  const connectedAt = new Date(event.requestContext.connectedAt ?? Date.now()).toISOString();
  try {
    await deps.presence.connect({ ...caller, connectedAt });
  } catch (error) {
    if (error instanceof AppError && error.code === 'RATE_LIMITED') {
      logger.info('connection refused at the cap', { userId: caller.userId });
      return { statusCode: 429 };
    }
    throw error;
  }
  logger.info('connected', {
    userId: caller.userId,
    connectionId: caller.connectionId,
    deviceId: caller.deviceId,
  });
  return { statusCode: 200 };
};

export const handler = (event: WebSocketEvent): Promise<WebSocketResult> =>
  handleConnect(event, tableDependencies());
