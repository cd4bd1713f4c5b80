import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../lambdas/shared/logger';
import { lambdaContext, type WebSocketHandler } from '../lambda-handlers';
import { awsStyleId } from './aws-ids';
import { Connection } from './connection';
import { ConnectionRegistry } from './connection-registry';
import { ConnectionTimers, type ExpiryReason } from './connection-timers';
import { FrameSizeGuard } from './frame-size-guard';
import { Handshake, type HandshakeRoutes, malformedUpgrade, refuseUpgrade } from './handshake';
import type { GatewayLimits } from './limits';
import { ManagementApi } from './management-api';
import { MessageRouter, type MessageRoutes } from './message-router';
import {
  type ApiIdentity,
  buildDisconnectEvent,
  type ConnectionFacts,
  readHandshakeRequest,
} from './websocket-events';

export interface WebSocketGatewayOptions {
  readonly api: ApiIdentity;
  readonly limits: GatewayLimits;
  readonly handshake: HandshakeRoutes;
  readonly messages: MessageRoutes;
  /** The $disconnect integration, invoked best effort when a connection ends. */
  readonly disconnect?: WebSocketHandler;
  readonly log: Logger;
}

const CLOSE_REASONS: Record<ExpiryReason, string> = {
  idle: 'Going away',
  'max-age': 'Going away',
};

const sourceIpOf = (request: IncomingMessage): string =>
  (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');

/**
 * The local stand-in for an API Gateway WebSocket API stage: the handshake (authorizer and $connect),
 * the connections with their limits, message routing, $disconnect, and the @connections API.
 */
export class WebSocketGateway {
  readonly connections = new ConnectionRegistry();
  private readonly server: WebSocketServer;
  private readonly handshake: Handshake;
  private readonly router: MessageRouter;
  private readonly management: ManagementApi;
  /** Handshakes, invocations and $disconnects in flight, awaited by close(). */
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;

  constructor(private readonly options: WebSocketGatewayOptions) {
    this.server = new WebSocketServer({
      noServer: true,
      maxPayload: options.limits.messageBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.handshake = new Handshake(options.api, options.handshake, options.log);
    this.router = new MessageRouter(options.api, options.messages, options.log);
    this.management = new ManagementApi(this.connections, options.limits);
  }

  /** For the HTTP server's 'upgrade' event. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (error) => this.options.log.debug('handshake socket error', { error }));
    if (this.closing) {
      refuseUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    const malformed = malformedUpgrade(request);
    if (malformed) {
      refuseUpgrade(socket, malformed.statusCode, malformed.message);
      return;
    }
    this.track(this.upgrade(request, socket, head)).catch((error) => {
      this.options.log.error('handshake failed', { error });
      refuseUpgrade(socket, 500, 'Internal server error');
    });
  }

  /** What the @connections API answered so far. */
  get managementStats(): Readonly<ManagementApi['stats']> {
    return { ...this.management.stats };
  }

  /** For `/@connections/{id}` requests. */
  handleManagementRequest(
    request: IncomingMessage,
    response: ServerResponse,
    connectionId: string,
  ): Promise<void> {
    return this.track(this.management.handle(request, response, connectionId));
  }

  /**
   * Ends a connection abruptly. With `disconnect: false` no $disconnect is invoked, as when API
   * Gateway loses one: the connection's records stay until a post to it answers 410.
   */
  drop(connectionId: string, options: { disconnect: boolean }): boolean {
    const connection = this.connections.get(connectionId);
    if (!connection) return false;
    connection.disconnectSuppressed = !options.disconnect;
    connection.terminate();
    return true;
  }

  /** Closes every connection (1001, with $disconnect) and waits for what is in flight. */
  async close(): Promise<void> {
    this.closing = true;
    for (const connection of this.connections.all()) connection.close(1001, 'Going away');
    const deadline = Date.now() + 3000;
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const connection of this.connections.all()) connection.terminate();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    this.server.close();
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const now = Date.now();
    const userAgent = request.headers['user-agent'];
    const facts: ConnectionFacts = {
      connectionId: awsStyleId(),
      connectedAt: now,
      identity: { sourceIp: sourceIpOf(request), ...(userAgent ? { userAgent } : {}) },
    };
    const handshakeRequest = readHandshakeRequest(
      request,
      facts.identity.sourceIp,
      request.socket.localPort ?? 0,
      now,
    );
    const outcome = await this.handshake.negotiate(facts, handshakeRequest);
    if (!outcome.accepted) {
      refuseUpgrade(socket, outcome.statusCode, outcome.message);
      return;
    }
    const authorized: ConnectionFacts = {
      ...facts,
      ...(outcome.authorizer ? { authorizer: outcome.authorizer } : {}),
    };
    if (socket.destroyed || this.closing) {
      // $connect succeeded but the client is gone: what it stored must be forgotten again.
      if (!socket.destroyed) refuseUpgrade(socket, 503, 'Service Unavailable');
      await this.invokeDisconnect(authorized, 1006, 'Client went away during the handshake');
      return;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => this.attach(ws, socket, authorized));
  }

  private attach(ws: WebSocket, socket: Duplex, facts: ConnectionFacts): void {
    const connection = new Connection(facts, ws);
    const { limits, log } = this.options;
    const timers = new ConnectionTimers(limits, (reason) => connection.close(1001, CLOSE_REASONS[reason]));
    let oversize = false;
    const guard = new FrameSizeGuard(limits.frameBytes, (frameBytes) => {
      oversize = true;
      log.debug('frame too large', { connectionId: facts.connectionId, frameBytes });
      connection.close(1009, 'Message too big');
    });
    socket.prependListener('data', (chunk: Buffer) => guard.inspect(chunk));

    this.connections.add(connection);
    timers.start();
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (oversize || !connection.isOpen) return;
      connection.lastActiveAt = Date.now();
      timers.touch();
      this.track(this.router.dispatch(connection, data, isBinary)).catch((error) =>
        log.error('dispatch failed', { connectionId: facts.connectionId, error }),
      );
    });
    ws.on('ping', () => timers.touch());
    ws.on('error', (error) => log.debug('socket error', { connectionId: facts.connectionId, error }));
    ws.on('close', (code: number, reason: Buffer) => {
      timers.stop();
      this.connections.remove(facts.connectionId);
      if (connection.disconnectSuppressed) return;
      this.track(this.invokeDisconnect(facts, code, reason.toString() || closeReason(code)));
    });
  }

  private async invokeDisconnect(facts: ConnectionFacts, statusCode: number, reason: string): Promise<void> {
    const handler = this.options.disconnect;
    if (!handler) return;
    const event = buildDisconnectEvent(this.options.api, facts, { statusCode, reason }, Date.now());
    try {
      await handler(event, lambdaContext('disconnect', 10_000, this.options.api.region));
    } catch (error) {
      this.options.log.warn('$disconnect failed', { connectionId: facts.connectionId, error });
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const settle = () => this.inFlight.delete(work);
    work.then(settle, settle);
    return work;
  }
}

/** What API Gateway reports as disconnectReason when the close frame carried none. */
const closeReason = (code: number): string => {
  if (code === 1005) return 'Client-side close frame status not set';
  if (code === 1006) return 'Connection closed abnormally';
  return '';
};
