import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../lambdas/shared/logger';
import { type AuthorizerHandler, lambdaContext, type WebSocketHandler } from '../lambda-handlers';
import { evaluateAuthorizerResult } from './authorizer-policy';
import {
  type ApiIdentity,
  type AuthorizerContext,
  buildAuthorizerEvent,
  buildConnectEvent,
  type ConnectionFacts,
  type HandshakeRequest,
} from './websocket-events';

export interface HandshakeRoutes {
  /** The $connect route's Lambda REQUEST authorizer. */
  readonly authorizer?: {
    readonly handler: AuthorizerHandler;
    /**
     * Identity sources, e.g. `route.request.querystring.token`: when one is missing or empty, the
     * handshake is refused with 401 without invoking the authorizer.
     */
    readonly identitySources: readonly string[];
  };
  /** The $connect route's integration: a non-2xx answer or an error refuses the handshake. */
  readonly connect?: WebSocketHandler;
}

export type HandshakeOutcome =
  | { readonly accepted: true; readonly authorizer?: AuthorizerContext }
  | { readonly accepted: false; readonly statusCode: number; readonly message: string };

const refused = (statusCode: number, message = STATUS_CODES[statusCode] ?? 'Error'): HandshakeOutcome => ({
  accepted: false,
  statusCode,
  message,
});

const identityValue = (source: string, request: HandshakeRequest): string | undefined => {
  const [, , kind, ...rest] = source.split('.');
  const name = rest.join('.');
  if (kind === 'querystring') return request.queryStringParameters?.[name];
  if (kind === 'header') {
    const key = Object.keys(request.headers).find((header) => header.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : request.headers[key];
  }
  return undefined;
};

/**
 * The $connect half of API Gateway: the authorizer, then the $connect integration, both before the
 * WebSocket opens, so a refusal is a plain HTTP answer and no connection ever exists.
 */
export class Handshake {
  constructor(
    private readonly api: ApiIdentity,
    private readonly routes: HandshakeRoutes,
    private readonly log: Logger,
  ) {}

  async negotiate(connection: ConnectionFacts, request: HandshakeRequest): Promise<HandshakeOutcome> {
    let authorizer: AuthorizerContext | undefined;
    if (this.routes.authorizer) {
      const outcome = await this.authorize(this.routes.authorizer, connection, request);
      if (!outcome.accepted) return outcome;
      authorizer = outcome.authorizer;
    }
    if (!this.routes.connect) return { accepted: true, authorizer };
    const event = buildConnectEvent(this.api, { ...connection, authorizer }, request, Date.now());
    let result: unknown;
    try {
      result = await this.routes.connect(event, lambdaContext('connect', 10_000, this.api.region));
    } catch (error) {
      this.log.warn('$connect failed', { connectionId: connection.connectionId, error });
      return refused(500, 'Internal server error');
    }
    const statusCode = (result as { statusCode?: unknown } | null | undefined)?.statusCode;
    if (
      statusCode === undefined ||
      (typeof statusCode === 'number' && statusCode >= 200 && statusCode < 300)
    ) {
      return { accepted: true, authorizer };
    }
    const status = typeof statusCode === 'number' && statusCode >= 400 && statusCode < 600 ? statusCode : 500;
    return refused(status);
  }

  private async authorize(
    route: NonNullable<HandshakeRoutes['authorizer']>,
    connection: ConnectionFacts,
    request: HandshakeRequest,
  ): Promise<HandshakeOutcome> {
    if (route.identitySources.some((source) => !identityValue(source, request)))
      return refused(401, 'Unauthorized');
    const event = buildAuthorizerEvent(this.api, connection, request, Date.now());
    const started = Date.now();
    let result: unknown;
    try {
      result = await route.handler(event, lambdaContext('authorizer', 10_000, this.api.region));
    } catch (error) {
      if ((error as Error)?.message === 'Unauthorized') return refused(401, 'Unauthorized');
      this.log.warn('authorizer failed', { connectionId: connection.connectionId, error });
      return refused(500, 'Internal server error');
    }
    const decision = evaluateAuthorizerResult(result, event.methodArn);
    if (decision.effect === 'deny') return refused(403, 'Forbidden');
    if (decision.effect === 'invalid') {
      this.log.warn('authorizer answer is invalid', {
        connectionId: connection.connectionId,
        reason: decision.reason,
      });
      return refused(500, 'Internal server error');
    }
    return {
      accepted: true,
      authorizer: {
        ...decision.context,
        principalId: decision.principalId,
        integrationLatency: Date.now() - started,
      },
    };
  }
}

/**
 * Why a request is not a WebSocket handshake at all (checked before the authorizer runs, so nothing
 * is invoked or stored for it), or undefined when it is one.
 */
export const malformedUpgrade = (
  request: IncomingMessage,
): { statusCode: number; message: string } | undefined => {
  if (request.method !== 'GET') return { statusCode: 405, message: 'Method Not Allowed' };
  if (request.headers.upgrade?.toLowerCase() !== 'websocket')
    return { statusCode: 400, message: 'Bad Request' };
  if (!/^[+/0-9A-Za-z]{22}==$/.test(request.headers['sec-websocket-key'] ?? '')) {
    return { statusCode: 400, message: 'Bad Request' };
  }
  const version = Number(request.headers['sec-websocket-version']);
  if (version !== 13 && version !== 8) return { statusCode: 400, message: 'Bad Request' };
  return undefined;
};

/** Answers an upgrade request with a plain HTTP error, as API Gateway does when it refuses a handshake. */
export const refuseUpgrade = (socket: Duplex, statusCode: number, message: string): void => {
  if (socket.destroyed) return;
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
};
