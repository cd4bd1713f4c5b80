import { Backoff, type BackoffOptions } from '../backoff';
import { Emitter } from '../emitter';
import { randomId } from '../ids';
import {
  type CloseInfo,
  globalWebSocket,
  messageText,
  OPEN,
  type WebSocketConstructor,
  type WebSocketLike,
} from './websocket-like';

/** Why a token is asked for: the first connect, a reconnect after a loss, or the planned rotation. */
export type ConnectReason = 'initial' | 'reconnect' | 'rotate';

export interface TokenRequest {
  readonly reason: ConnectReason;
  /** Failed attempts since the last good connection. */
  readonly attempt: number;
}

/** Called before every handshake: return a fresh (unexpired) token. */
export type TokenProvider = (request: TokenRequest) => Promise<string> | string;

export type SocketStatus = 'idle' | 'connecting' | 'open' | 'waiting' | 'stopped';

export interface ReconnectingSocketOptions {
  /** The WebSocket URL without `token` and `deviceId`; they are added to the query. */
  readonly url: string;
  readonly deviceId: string;
  readonly getToken: TokenProvider;
  /** Default: the global WebSocket. Node 20 has none: pass `WebSocket` from the `ws` package. */
  readonly WebSocket?: WebSocketConstructor;
  /** A `ping` every this often. API Gateway drops a connection idle for 10 minutes. Default 60 s. */
  readonly heartbeatIntervalMs?: number;
  /** A ping unanswered this long declares the connection dead. Default 10 s. */
  readonly heartbeatTimeoutMs?: number;
  /** A handshake that takes longer is abandoned. Default 15 s. */
  readonly connectTimeoutMs?: number;
  /**
   * API Gateway closes every connection after 2 hours. The socket opens a replacement before that,
   * at a random moment in [maxConnectionAgeMs * 0.9, maxConnectionAgeMs]. Default 110 minutes.
   */
  readonly maxConnectionAgeMs?: number;
  /** After a planned switch the old socket stays open this long for its last answers. Default 15 s. */
  readonly drainMs?: number;
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
}

export interface ReconnectingSocketEvents {
  /** A connection opened (the first, a reconnect or a planned switch): time to catch up. */
  open: { readonly reason: ConnectReason };
  /** The current connection is gone; a reconnect is scheduled unless stopped. */
  close: CloseInfo & { readonly retryInMs: number | undefined };
  /** A parsed frame that is not a heartbeat answer. */
  frame: unknown;
  status: SocketStatus;
  /** A connection attempt failed (token, handshake or timeout). */
  error: Error;
}

const HEARTBEAT_PREFIX = 'hb-';

interface Attempt {
  readonly ws: WebSocketLike;
  readonly reason: ConnectReason;
  connectTimer?: ReturnType<typeof setTimeout>;
}

/**
 * One logical connection over many WebSockets: it heartbeats, reconnects with bounded full-jitter
 * backoff, asks for a fresh token for every handshake and replaces the socket before API Gateway's
 * 2-hour limit (make before break, so no event is missed while switching).
 */
export class ReconnectingSocket extends Emitter<ReconnectingSocketEvents> {
  private readonly options: Required<
    Omit<ReconnectingSocketOptions, 'WebSocket' | 'backoff' | 'random' | 'getToken'>
  >;
  private readonly Ctor: WebSocketConstructor;
  private readonly backoff: Backoff;
  private readonly random: () => number;

  private current: WebSocketLike | undefined;
  private pending: Attempt | undefined;
  private state: SocketStatus = 'idle';
  private generation = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  private rotateTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatSeq = 0;
  private awaitingPong: string | undefined;
  private gotFrameSinceOpen = false;

  constructor(private readonly config: ReconnectingSocketOptions) {
    super();
    const Ctor = config.WebSocket ?? globalWebSocket();
    if (!Ctor) {
      throw new TypeError('No global WebSocket: pass one in, e.g. `WebSocket` from the "ws" package.');
    }
    this.Ctor = Ctor;
    this.random = config.random ?? Math.random;
    this.backoff = new Backoff({ random: this.random, ...config.backoff });
    this.options = {
      url: config.url,
      deviceId: config.deviceId,
      heartbeatIntervalMs: config.heartbeatIntervalMs ?? 60_000,
      heartbeatTimeoutMs: config.heartbeatTimeoutMs ?? 10_000,
      connectTimeoutMs: config.connectTimeoutMs ?? 15_000,
      maxConnectionAgeMs: config.maxConnectionAgeMs ?? 110 * 60_000,
      drainMs: config.drainMs ?? 15_000,
    };
    if (this.options.heartbeatIntervalMs >= 10 * 60_000) {
      throw new RangeError('heartbeatIntervalMs must stay below API Gateway’s 10-minute idle timeout');
    }
  }

  get status(): SocketStatus {
    return this.state;
  }

  get isOpen(): boolean {
    return this.state === 'open' && this.current?.readyState === OPEN;
  }

  /** Starts connecting (no-op when already started). */
  start(): void {
    if (this.state !== 'idle' && this.state !== 'stopped') return;
    this.backoff.reset();
    void this.connect('initial');
  }

  /** Closes everything and stops reconnecting. */
  stop(): void {
    this.generation += 1;
    this.clearTimers();
    if (this.pending) this.discard(this.pending.ws, 1000, 'stopped');
    this.pending = undefined;
    const ws = this.current;
    this.current = undefined;
    if (ws) this.discard(ws, 1000, 'stopped');
    this.setStatus('stopped');
  }

  /** Skips a pending backoff delay and connects now (e.g. when the browser says it is online again). */
  reconnectNow(): void {
    if (this.state !== 'waiting') return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    void this.connect('reconnect');
  }

  /** Sends one frame on the current connection; false when there is none. */
  send(frame: object): boolean {
    const ws = this.current;
    if (!ws || ws.readyState !== OPEN || this.state !== 'open') return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  /** Sends a ping now and treats the connection as dead if no answer comes in time. */
  probe(): void {
    if (this.isOpen && !this.awaitingPong) this.sendHeartbeat();
  }

  /** Drops the current connection as if the network failed; it reconnects as after any loss. */
  drop(reason = 'dropped'): void {
    const ws = this.current;
    if (ws) this.lose(ws, { code: 4000, reason });
  }

  private async connect(reason: ConnectReason): Promise<void> {
    const generation = ++this.generation;
    if (reason !== 'rotate') this.setStatus('connecting');
    let token: string;
    try {
      token = await this.withTimeout(
        Promise.resolve(this.config.getToken({ reason, attempt: this.backoff.attempts })),
        'token provider',
      );
    } catch (error) {
      if (generation !== this.generation) return;
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
      this.attemptFailed(reason);
      return;
    }
    if (generation !== this.generation || this.state === 'stopped') return;
    let ws: WebSocketLike;
    try {
      ws = new this.Ctor(this.urlWith(token));
    } catch (error) {
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
      this.attemptFailed(reason);
      return;
    }
    if (this.pending) {
      // A newer attempt supersedes an older one still in its handshake (e.g. a rotation).
      clearTimeout(this.pending.connectTimer);
      this.discard(this.pending.ws, 1000, 'superseded');
    }
    const attempt: Attempt = { ws, reason };
    this.pending = attempt;
    attempt.connectTimer = setTimeout(() => {
      if (this.pending !== attempt) return;
      this.pending = undefined;
      this.discard(ws, 4000, 'connect timeout');
      this.emit('error', new Error('WebSocket handshake timed out'));
      this.attemptFailed(reason);
    }, this.options.connectTimeoutMs);

    ws.onopen = () => {
      if (this.pending !== attempt) {
        this.discard(ws, 1000, 'superseded');
        return;
      }
      clearTimeout(attempt.connectTimer);
      this.pending = undefined;
      this.opened(ws, reason);
    };
    ws.onmessage = (event: { data: unknown }) => this.received(ws, event.data);
    ws.onerror = () => {};
    ws.onclose = (event: { code?: number; reason?: string }) => {
      const info: CloseInfo = { code: event.code ?? 1006, reason: event.reason ?? '' };
      if (this.pending === attempt) {
        clearTimeout(attempt.connectTimer);
        this.pending = undefined;
        this.emit('error', new Error(`WebSocket handshake failed (${info.code})`));
        this.attemptFailed(reason);
      } else if (this.current === ws) {
        this.lose(ws, info);
      }
    };
  }

  /** A token provider that never answers must not stall reconnecting forever. */
  private withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${what} did not answer within ${this.options.connectTimeoutMs} ms`)),
        this.options.connectTimeoutMs,
      );
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  private urlWith(token: string): string {
    const url = new URL(this.options.url);
    url.searchParams.set('token', token);
    url.searchParams.set('deviceId', this.options.deviceId);
    return url.toString();
  }

  private opened(ws: WebSocketLike, reason: ConnectReason): void {
    const previous = this.current;
    this.current = ws;
    this.gotFrameSinceOpen = false;
    this.awaitingPong = undefined;
    if (previous) {
      // Planned switch: the old socket may still carry answers to requests sent on it.
      previous.onclose = null;
      setTimeout(() => this.discard(previous, 1000, 'replaced'), this.options.drainMs);
    }
    this.clearConnectionTimers();
    this.scheduleHeartbeat();
    const age = this.options.maxConnectionAgeMs;
    this.rotateTimer = setTimeout(() => this.rotate(), age * (0.9 + 0.1 * this.random()));
    this.setStatus('open');
    this.emit('open', { reason });
  }

  private received(ws: WebSocketLike, data: unknown): void {
    const text = messageText(data);
    if (text === undefined) return;
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (ws === this.current && !this.gotFrameSinceOpen) {
      // The server answered on this connection: it works, so the next loss starts backoff afresh.
      this.gotFrameSinceOpen = true;
      this.backoff.reset();
    }
    const requestId = (frame as { requestId?: unknown } | null)?.requestId;
    if (typeof requestId === 'string' && requestId.startsWith(HEARTBEAT_PREFIX)) {
      if (requestId === this.awaitingPong) {
        this.awaitingPong = undefined;
        if (this.pongTimer) clearTimeout(this.pongTimer);
        this.pongTimer = undefined;
      }
      return;
    }
    this.emit('frame', frame);
  }

  private scheduleHeartbeat(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeatTimer = undefined;
      this.sendHeartbeat();
    }, this.options.heartbeatIntervalMs);
  }

  private sendHeartbeat(): void {
    const ws = this.current;
    if (!ws) return;
    const requestId = `${HEARTBEAT_PREFIX}${++this.heartbeatSeq}-${randomId(6)}`;
    this.awaitingPong = requestId;
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pongTimer = setTimeout(() => {
      this.pongTimer = undefined;
      if (this.current === ws) this.lose(ws, { code: 4001, reason: 'heartbeat timeout' });
    }, this.options.heartbeatTimeoutMs);
    try {
      ws.send(JSON.stringify({ action: 'ping', requestId }));
    } catch {
      // A send on a dying socket: the pong timer decides.
    }
    this.scheduleHeartbeat();
  }

  private rotate(): void {
    this.rotateTimer = undefined;
    if (this.state !== 'open' || this.pending) return;
    void this.connect('rotate');
  }

  /** The current connection is gone (closed, killed, or declared dead). */
  private lose(ws: WebSocketLike, info: CloseInfo): void {
    if (this.current !== ws) return;
    this.current = undefined;
    this.clearConnectionTimers();
    this.discard(ws, 4000, info.reason || 'lost');
    // A rotation attempt in flight becomes the reconnect.
    if (this.pending) {
      this.setStatus('connecting');
      this.emit('close', { ...info, retryInMs: 0 });
      return;
    }
    const delay = this.backoff.next();
    this.emit('close', { ...info, retryInMs: delay });
    this.waitThenConnect(delay);
  }

  private attemptFailed(reason: ConnectReason): void {
    if (this.state === 'stopped') return;
    if (reason === 'rotate' && this.current) {
      // The old connection still works: try the switch again a little later.
      this.rotateTimer = setTimeout(() => this.rotate(), this.backoff.next() + 1_000);
      return;
    }
    this.waitThenConnect(this.backoff.next());
  }

  private waitThenConnect(delay: number): void {
    this.setStatus('waiting');
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect('reconnect');
    }, delay);
  }

  private discard(ws: WebSocketLike, code: number, reason: string): void {
    ws.onopen = null;
    ws.onclose = null;
    ws.onmessage = null;
    ws.onerror = () => {};
    try {
      ws.close(code, reason);
    } catch {
      // Already closed, or a state in which close throws: nothing left to release.
    }
  }

  private clearConnectionTimers(): void {
    for (const timer of [this.heartbeatTimer, this.pongTimer, this.rotateTimer]) {
      if (timer) clearTimeout(timer);
    }
    this.heartbeatTimer = this.pongTimer = this.rotateTimer = undefined;
    this.awaitingPong = undefined;
  }

  private clearTimers(): void {
    this.clearConnectionTimers();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.pending?.connectTimer) clearTimeout(this.pending.connectTimer);
  }

  private setStatus(status: SocketStatus): void {
    if (this.state === status) return;
    this.state = status;
    this.emit('status', status);
  }
}
