import { type TableDependencies, tableDependencies } from '../adapters/dependencies';
import { logger } from '../shared/logger';
import { callerOf, type WebSocketEvent, type WebSocketResult } from './websocket-event';

/** $disconnect: best effort (API Gateway may never send it), so the fan-out also forgets gone connections. */
export const handleDisconnect = async (
  event: WebSocketEvent,
  deps: TableDependencies,
): Promise<WebSocketResult> => {
  const caller = callerOf(event);
  await deps.presence.disconnect(caller.userId, caller.connectionId);
  logger.info('disconnected', { userId: caller.userId, connectionId: caller.connectionId });
  return { statusCode: 200 };
};

export const handler = (event: WebSocketEvent): Promise<WebSocketResult> =>
  handleDisconnect(event, tableDependencies());
