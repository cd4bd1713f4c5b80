import type { Logger } from '../../lambdas/shared/logger';
import { lambdaContext, type WebSocketHandler } from '../lambda-handlers';
import type { Connection } from './connection';
import { selectRoute } from './route-selection';
import { type ApiIdentity, buildMessageEvent } from './websocket-events';

export interface MessageRoutes {
  /** Route key to integration; `$default` catches what no key matches. */
  readonly routes: Readonly<Record<string, WebSocketHandler>>;
  /** Default `$request.body.action`. */
  readonly selectionExpression?: string;
}

const errorFrame = (message: string, connectionId: string, requestId: string): Buffer =>
  Buffer.from(JSON.stringify({ message, connectionId, requestId }));

/**
 * Invokes a message's route and sends the integration's answer back (a two-way route with the
 * `$default` route response): the `body` of a proxy result. Each message is its own invocation, so
 * answers may come back in any order, as they do in AWS.
 */
export class MessageRouter {
  private readonly routeKeys: ReadonlySet<string>;

  constructor(
    private readonly api: ApiIdentity,
    private readonly config: MessageRoutes,
    private readonly log: Logger,
  ) {
    this.routeKeys = new Set(Object.keys(config.routes));
  }

  async dispatch(connection: Connection, data: Buffer, isBinary: boolean): Promise<void> {
    const body = isBinary ? data.toString('base64') : data.toString('utf8');
    const routeKey = selectRoute(
      isBinary ? undefined : body,
      this.routeKeys,
      this.config.selectionExpression,
    );
    const event = buildMessageEvent(
      this.api,
      connection,
      routeKey ?? '$default',
      { body, isBase64Encoded: isBinary },
      Date.now(),
    );
    const { connectionId, requestId } = event.requestContext;
    const handler = routeKey === undefined ? undefined : this.config.routes[routeKey];
    if (!handler) {
      await this.reply(connection, errorFrame('Forbidden', connectionId, requestId));
      return;
    }
    let result: unknown;
    try {
      result = await handler(event, lambdaContext(routeKey ?? 'request', 30_000, this.api.region));
    } catch (error) {
      this.log.warn('route integration failed', { connectionId, routeKey, error });
      await this.reply(connection, errorFrame('Internal server error', connectionId, requestId));
      return;
    }
    const answer =
      typeof result === 'string' ? result : (result as { body?: unknown } | null | undefined)?.body;
    if (typeof answer === 'string' && answer !== '') await this.reply(connection, Buffer.from(answer));
  }

  private async reply(connection: Connection, data: Buffer): Promise<void> {
    if (!connection.isOpen) return;
    try {
      await connection.send(data);
    } catch (error) {
      this.log.debug('route response not delivered', { connectionId: connection.connectionId, error });
    }
  }
}
