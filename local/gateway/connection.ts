import { isUtf8 } from 'node:buffer';
import { WebSocket } from 'ws';
import type { AuthorizerContext, ConnectionFacts } from './websocket-events';

/** One open WebSocket connection and what API Gateway knows about it. */
export class Connection implements ConnectionFacts {
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly identity: { readonly sourceIp: string; readonly userAgent?: string };
  readonly authorizer?: AuthorizerContext;
  lastActiveAt: number;
  /** Set when the connection is dropped without a $disconnect, as API Gateway sometimes does. */
  disconnectSuppressed = false;

  constructor(
    facts: ConnectionFacts,
    private readonly socket: WebSocket,
  ) {
    this.connectionId = facts.connectionId;
    this.connectedAt = facts.connectedAt;
    this.identity = facts.identity;
    this.authorizer = facts.authorizer;
    this.lastActiveAt = facts.connectedAt;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends UTF-8 data as a text frame and anything else as a binary frame. */
  send(data: Buffer): Promise<void> {
    this.lastActiveAt = Date.now();
    return new Promise((resolve, reject) => {
      this.socket.send(data, { binary: !isUtf8(data) }, (error) => (error ? reject(error) : resolve()));
    });
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }

  /** Ends the TCP connection without a closing handshake. */
  terminate(): void {
    this.socket.terminate();
  }
}
