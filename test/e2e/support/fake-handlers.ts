import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import type {
  WebSocketAuthorizerEvent,
  WebSocketConnectEvent,
  WebSocketDisconnectEvent,
  WebSocketMessageEvent,
} from '../../../local/gateway/websocket-events';
import type { LambdaHandlers } from '../../../local/lambda-handlers';

const requestIdOf = (body: string): unknown => {
  try {
    return (JSON.parse(body) as { requestId?: unknown }).requestId;
  } catch {
    return undefined;
  }
};

/**
 * Stand-ins for the Lambda handlers that record every event. Tokens are `user-<id>`; `user-denied`
 * gets a Deny policy, `throw` makes the authorizer fail; deviceId `refuse` makes $connect answer 403
 * and `crash` makes it throw. Messages are echoed; a body containing `crash` throws, `silent` answers
 * without a body.
 */
export class FakeHandlers {
  readonly authorizerEvents: WebSocketAuthorizerEvent[] = [];
  readonly connectEvents: WebSocketConnectEvent[] = [];
  readonly messageEvents: WebSocketMessageEvent[] = [];
  readonly disconnectEvents: WebSocketDisconnectEvent[] = [];
  readonly completedMessages: string[] = [];

  readonly handlers: LambdaHandlers = {
    authorizer: async (event) => {
      this.authorizerEvents.push(event);
      const token = event.queryStringParameters?.token ?? '';
      if (token === 'throw') throw new Error('authorizer bug');
      if (!token.startsWith('user-')) throw new Error('Unauthorized');
      const userId = token.slice('user-'.length);
      const result: APIGatewayAuthorizerResult = {
        principalId: userId,
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Action: 'execute-api:Invoke',
              Effect: userId === 'denied' ? 'Deny' : 'Allow',
              Resource: event.methodArn,
            },
          ],
        },
        context: { userId, deviceId: event.queryStringParameters?.deviceId ?? '' },
      };
      return result;
    },
    connect: async (event) => {
      this.connectEvents.push(event as WebSocketConnectEvent);
      const deviceId = (event as WebSocketConnectEvent).queryStringParameters?.deviceId;
      if (deviceId === 'crash') throw new Error('connect bug');
      return { statusCode: deviceId === 'refuse' ? 403 : 200 };
    },
    request: async (event) => {
      const message = event as WebSocketMessageEvent;
      this.messageEvents.push(message);
      try {
        if (message.body.includes('crash')) throw new Error('request bug');
        if (message.body.includes('silent')) return { statusCode: 200 };
        return {
          statusCode: 200,
          body: JSON.stringify({
            requestId: requestIdOf(message.body),
            routeKey: message.requestContext.routeKey,
            bodyLength: message.body.length,
            isBase64Encoded: message.isBase64Encoded,
            authorizer: message.requestContext.authorizer,
          }),
        };
      } finally {
        this.completedMessages.push(message.requestContext.messageId);
      }
    },
    disconnect: async (event) => {
      this.disconnectEvents.push(event as WebSocketDisconnectEvent);
      return { statusCode: 200 };
    },
    fanout: async () => ({ batchItemFailures: [] }),
  };
}
