import { UnauthorizedError } from '../shared/errors';

/**
 * The parts of API Gateway's WebSocket Lambda event that the handlers read. The authorizer's
 * context (set on $connect) is on every route's event.
 */
export interface WebSocketEvent {
  requestContext: {
    routeKey: string;
    eventType?: string;
    connectionId: string;
    connectedAt?: number;
    requestId?: string;
    authorizer?: Record<string, unknown> | null;
  };
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface WebSocketResult {
  statusCode: number;
  body?: string;
}

export interface Caller {
  userId: string;
  deviceId: string;
  connectionId: string;
}

/** Who is calling: from the authorized connection, never from the frame. */
export const callerOf = (event: WebSocketEvent): Caller => {
  const authorizer = event.requestContext.authorizer ?? {};
  const userId = authorizer.userId;
  const deviceId = authorizer.deviceId;
  if (typeof userId !== 'string' || userId === '' || typeof deviceId !== 'string') {
    throw new UnauthorizedError('The connection is not authorized');
  }
  return { userId, deviceId, connectionId: event.requestContext.connectionId };
};
