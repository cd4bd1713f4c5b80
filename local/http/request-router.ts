import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../lambdas/shared/logger';
import { refuseUpgrade } from '../gateway/handshake';
import { connectionIdOf } from '../gateway/management-api';
import type { WebSocketGateway } from '../gateway/websocket-gateway';
import type { LocalIdentityProvider } from '../identity/local-identity-provider';
import type { SnsQueryApi } from '../sns/sns-query-api';
import type { DevRoutes } from './dev-routes';
import { CORS_HEADERS, sendJson } from './json-io';
import type { StaticSite } from './static-site';

export interface RouterParts {
  readonly identity: LocalIdentityProvider;
  readonly snsApi: SnsQueryApi;
  readonly devRoutes: DevRoutes;
  readonly gateway: WebSocketGateway;
}

export interface HealthReport {
  readonly healthy: boolean;
  readonly [part: string]: unknown;
}

/**
 * Everything on the one port: WebSocket upgrades and `@connections` go to the gateway, `POST /sns` to
 * the SNS stand-in, `/dev/*`, `/healthz`, the JWKS, and the web app for the rest. Parts attach as
 * they become ready; until then their paths answer 503.
 */
export class RequestRouter {
  private parts: Partial<RouterParts> = {};

  constructor(
    private readonly options: {
      readonly site: StaticSite;
      readonly health: () => HealthReport;
      readonly log: Logger;
    },
  ) {}

  attach(parts: Partial<RouterParts>): void {
    this.parts = { ...this.parts, ...parts };
  }

  detach(name: keyof RouterParts): void {
    const { [name]: _removed, ...rest } = this.parts;
    this.parts = rest;
  }

  readonly handleRequest = (request: IncomingMessage, response: ServerResponse): void => {
    this.route(request, response).catch((error) => {
      this.options.log.error('request failed', { method: request.method, url: request.url, error });
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal server error' });
      else response.destroy();
    });
  };

  readonly handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const gateway = this.parts.gateway;
    if (!gateway) {
      socket.on('error', () => {});
      refuseUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    gateway.handleUpgrade(request, socket, head);
  };

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://local');
    const path = url.pathname;
    if (path === '/healthz') {
      const report = this.options.health();
      return sendJson(response, report.healthy ? 200 : 503, report);
    }
    const connectionId = connectionIdOf(path);
    if (connectionId !== undefined) {
      const gateway = this.parts.gateway;
      if (!gateway) return unavailable(request, response);
      return gateway.handleManagementRequest(request, response, connectionId);
    }
    if (path === '/.well-known/jwks.json' || path === '/local-idp/.well-known/jwks.json') {
      if (!this.parts.identity) return unavailable(request, response);
      return sendJson(response, 200, this.parts.identity.jwks());
    }
    if (path === '/sns' || path === '/sns/') {
      if (!this.parts.snsApi) return unavailable(request, response);
      return this.parts.snsApi.handle(request, response);
    }
    if (path === '/dev' || path.startsWith('/dev/')) {
      if (request.method === 'OPTIONS') {
        response.writeHead(204, CORS_HEADERS).end();
        return;
      }
      if (!this.parts.devRoutes) return unavailable(request, response);
      return this.parts.devRoutes.handle(request, response, url);
    }
    return this.options.site.handle(request, response, url);
  }
}

const unavailable = (request: IncomingMessage, response: ServerResponse): void => {
  request.resume();
  sendJson(response, 503, { message: 'Starting up' });
};
