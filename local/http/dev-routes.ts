import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocketGateway } from '../gateway/websocket-gateway';
import { InvalidUserIdError, type LocalIdentityProvider } from '../identity/local-identity-provider';
import type { SnsStandIn } from '../sns/sns-stand-in';
import type { DeadLetterQueue } from '../stream/dead-letter-queue';
import { BadJsonError, readJsonObject, sendJson } from './json-io';

export interface DevRouteParts {
  readonly identity: LocalIdentityProvider;
  readonly sns: SnsStandIn;
  readonly deadLetters: DeadLetterQueue;
  readonly gateway?: WebSocketGateway;
}

const ownerOf = (customUserData: string | undefined): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(customUserData ?? '') as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/**
 * Development endpoints under /dev: tokens from the local identity provider, what the SNS stand-in
 * and the dead-letter stand-in recorded, and hooks to simulate what AWS does unasked (a push
 * endpoint disabled by its platform, a connection lost without $disconnect).
 */
export class DevRoutes {
  constructor(private readonly parts: DevRouteParts) {}

  async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const route = `${request.method} ${url.pathname.replace(/\/$/, '')}`;
    try {
      if (route === 'POST /dev/token') return await this.token(request, response);
      if (route === 'GET /dev/push') return this.push(response, url);
      if (route === 'GET /dev/push/endpoints')
        return sendJson(response, 200, { endpoints: this.parts.sns.endpoints() });
      if (route === 'POST /dev/push/disable') return await this.disableEndpoint(request, response);
      if (route === 'GET /dev/dlq')
        return sendJson(response, 200, { records: this.parts.deadLetters.list() });
      if (route === 'GET /dev/connections') return this.connections(response);
      const drop = /^POST \/dev\/connections\/([^/]+)\/drop$/.exec(route);
      if (drop) return await this.drop(request, response, decodeURIComponent(drop[1] as string));
      sendJson(response, 404, { message: `No such development endpoint: ${route}` });
    } catch (error) {
      if (error instanceof BadJsonError) return sendJson(response, 400, { message: error.message });
      throw error;
    }
  }

  /** Body: {"userId", "expiresInSeconds"?}. */
  private async token(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { userId, expiresInSeconds } = await readJsonObject(request);
    try {
      const issued = await this.parts.identity.issueToken(typeof userId === 'string' ? userId : '', {
        expiresInSeconds: typeof expiresInSeconds === 'number' ? expiresInSeconds : undefined,
      });
      sendJson(response, 200, {
        token: issued.token,
        userId: issued.userId,
        wsUrl: `ws://${request.headers.host ?? '127.0.0.1'}/`,
        expiresAt: issued.expiresAt,
      });
    } catch (error) {
      if (error instanceof InvalidUserIdError) return sendJson(response, 400, { message: error.message });
      throw error;
    }
  }

  private push(response: ServerResponse, url: URL): void {
    const userId = url.searchParams.get('userId') ?? undefined;
    const deviceId = url.searchParams.get('deviceId') ?? undefined;
    sendJson(response, 200, { notifications: this.parts.sns.notifications({ userId, deviceId }) });
  }

  /** Body: {"endpointArn"} or {"userId", "deviceId"?}: marks the endpoints disabled, as APNs or FCM feedback does. */
  private async disableEndpoint(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { endpointArn, userId, deviceId } = await readJsonObject(request);
    const endpoints = this.parts.sns.endpoints().filter((endpoint) => {
      if (typeof endpointArn === 'string') return endpoint.endpointArn === endpointArn;
      const owner = ownerOf(endpoint.attributes.CustomUserData);
      return (
        typeof userId === 'string' &&
        owner?.userId === userId &&
        (typeof deviceId !== 'string' || owner?.deviceId === deviceId)
      );
    });
    for (const endpoint of endpoints) this.parts.sns.disableEndpoint(endpoint.endpointArn);
    sendJson(response, endpoints.length > 0 ? 200 : 404, {
      disabled: endpoints.map((endpoint) => endpoint.endpointArn),
    });
  }

  private connections(response: ServerResponse): void {
    const connections = (this.parts.gateway?.connections.all() ?? []).map((connection) => ({
      connectionId: connection.connectionId,
      connectedAt: new Date(connection.connectedAt).toISOString(),
      lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
      identity: connection.identity,
      authorizer: connection.authorizer,
    }));
    sendJson(response, 200, { connections });
  }

  /** Body: {"disconnect": false} drops the connection without $disconnect (the default invokes it). */
  private async drop(
    request: IncomingMessage,
    response: ServerResponse,
    connectionId: string,
  ): Promise<void> {
    const { disconnect } = await readJsonObject(request);
    const dropped = this.parts.gateway?.drop(connectionId, { disconnect: disconnect !== false }) ?? false;
    sendJson(response, dropped ? 200 : 404, { dropped });
  }
}
