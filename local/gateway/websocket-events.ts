import type { IncomingMessage } from 'node:http';
import { awsStyleId, requestTime, traceId } from './aws-ids';

/**
 * One builder per Lambda event shape API Gateway WebSocket APIs produce: the REQUEST authorizer's
 * input, and the $connect, message and $disconnect proxy events. Shapes follow the recorded AWS
 * examples in test/fixtures/aws-events.
 */

/** Who the API is: what AWS derives from the API, its stage and its account. */
export interface ApiIdentity {
  readonly apiId: string;
  readonly stage: string;
  /** The API's host name, e.g. `127.0.0.1:8080` locally. */
  readonly domainName: string;
  readonly region: string;
  readonly accountId: string;
}

/** The authorizer's context as API Gateway passes it on: its values plus principalId and integrationLatency. */
export type AuthorizerContext = Record<string, string | number | boolean>;

export interface ConnectionFacts {
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly identity: { readonly sourceIp: string; readonly userAgent?: string };
  readonly authorizer?: AuthorizerContext;
}

/** What the handshake request carried, in the shapes the events use. */
export interface HandshakeRequest {
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  readonly queryStringParameters?: Record<string, string>;
  readonly multiValueQueryStringParameters?: Record<string, string[]>;
}

export interface WebSocketRequestContext {
  routeKey: string;
  messageId?: string;
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  extendedRequestId: string;
  requestTime: string;
  messageDirection: 'IN';
  disconnectStatusCode?: number;
  disconnectReason?: string;
  stage: string;
  connectedAt: number;
  requestTimeEpoch: number;
  identity: { sourceIp: string; userAgent?: string };
  requestId: string;
  domainName: string;
  connectionId: string;
  apiId: string;
  authorizer?: AuthorizerContext;
}

/** Unlike $connect's, the authorizer's input always has the query maps (empty when there is no query). */
export interface WebSocketAuthorizerEvent extends HandshakeRequest {
  type: 'REQUEST';
  queryStringParameters: Record<string, string>;
  multiValueQueryStringParameters: Record<string, string[]>;
  methodArn: string;
  stageVariables: Record<string, string>;
  requestContext: WebSocketRequestContext;
}

export interface WebSocketConnectEvent extends HandshakeRequest {
  requestContext: WebSocketRequestContext;
  isBase64Encoded: false;
}

export interface WebSocketMessageEvent {
  requestContext: WebSocketRequestContext & { messageId: string };
  body: string;
  isBase64Encoded: boolean;
}

export interface WebSocketDisconnectEvent {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  requestContext: WebSocketRequestContext;
  isBase64Encoded: false;
}

/** Headers with the client's spelling (Node lowercases `req.headers`), plus those API Gateway adds. */
export const readHandshakeRequest = (
  request: IncomingMessage,
  sourceIp: string,
  localPort: number,
  now: number,
): HandshakeRequest => {
  const multiValueHeaders: Record<string, string[]> = {};
  const raw = request.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index] as string;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), raw[index + 1] as string];
  }
  const present = new Set(Object.keys(multiValueHeaders).map((name) => name.toLowerCase()));
  const added: Record<string, string> = {
    'X-Amzn-Trace-Id': traceId(now),
    'X-Forwarded-For': sourceIp,
    'X-Forwarded-Port': String(localPort),
    'X-Forwarded-Proto': 'http',
  };
  for (const [name, value] of Object.entries(added)) {
    if (!present.has(name.toLowerCase())) multiValueHeaders[name] = [value];
  }
  const headers = Object.fromEntries(
    Object.entries(multiValueHeaders).map(([name, values]) => [name, values[values.length - 1] as string]),
  );

  const search = new URL(request.url ?? '/', 'http://local').searchParams;
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of search) multiQuery[name] = [...(multiQuery[name] ?? []), value];
  if (Object.keys(multiQuery).length === 0) return { headers, multiValueHeaders };
  const query = Object.fromEntries(
    Object.entries(multiQuery).map(([name, values]) => [name, values[values.length - 1] as string]),
  );
  return {
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: multiQuery,
  };
};

const requestContext = (
  api: ApiIdentity,
  connection: ConnectionFacts,
  route: { routeKey: string; eventType: WebSocketRequestContext['eventType'] },
  now: number,
): WebSocketRequestContext => {
  const requestId = awsStyleId();
  return {
    routeKey: route.routeKey,
    eventType: route.eventType,
    extendedRequestId: requestId,
    requestTime: requestTime(now),
    messageDirection: 'IN',
    stage: api.stage,
    connectedAt: connection.connectedAt,
    requestTimeEpoch: now,
    identity: { ...connection.identity },
    requestId,
    domainName: api.domainName,
    connectionId: connection.connectionId,
    apiId: api.apiId,
    ...(connection.authorizer ? { authorizer: { ...connection.authorizer } } : {}),
  };
};

export const methodArn = (api: ApiIdentity, routeKey: string): string =>
  `arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/${api.stage}/${routeKey}`;

export const buildAuthorizerEvent = (
  api: ApiIdentity,
  connection: ConnectionFacts,
  request: HandshakeRequest,
  now: number,
): WebSocketAuthorizerEvent => {
  const { authorizer: _none, ...unauthorized } = connection;
  return {
    type: 'REQUEST',
    methodArn: methodArn(api, '$connect'),
    ...request,
    queryStringParameters: request.queryStringParameters ?? {},
    multiValueQueryStringParameters: request.multiValueQueryStringParameters ?? {},
    stageVariables: {},
    requestContext: requestContext(api, unauthorized, { routeKey: '$connect', eventType: 'CONNECT' }, now),
  };
};

export const buildConnectEvent = (
  api: ApiIdentity,
  connection: ConnectionFacts,
  request: HandshakeRequest,
  now: number,
): WebSocketConnectEvent => ({
  ...request,
  requestContext: requestContext(api, connection, { routeKey: '$connect', eventType: 'CONNECT' }, now),
  isBase64Encoded: false,
});

export const buildMessageEvent = (
  api: ApiIdentity,
  connection: ConnectionFacts,
  routeKey: string,
  payload: { body: string; isBase64Encoded: boolean },
  now: number,
): WebSocketMessageEvent => ({
  requestContext: {
    ...requestContext(api, connection, { routeKey, eventType: 'MESSAGE' }, now),
    messageId: awsStyleId(),
  },
  body: payload.body,
  isBase64Encoded: payload.isBase64Encoded,
});

export const buildDisconnectEvent = (
  api: ApiIdentity,
  connection: ConnectionFacts,
  close: { statusCode: number; reason: string },
  now: number,
): WebSocketDisconnectEvent => {
  // API Gateway sends these four headers, not the handshake's.
  const headers = { Host: api.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' };
  const context = requestContext(api, connection, { routeKey: '$disconnect', eventType: 'DISCONNECT' }, now);
  return {
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    requestContext: {
      ...context,
      disconnectStatusCode: close.statusCode,
      disconnectReason: close.reason,
    },
    isBase64Encoded: false,
  };
};
