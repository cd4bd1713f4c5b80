import type { WebSocketLike } from '../../../../client/sdk/transport/websocket-like';

type Frame = Record<string, unknown>;

/** A client-side socket whose other end the test drives: accept, refuse, push frames, kill. */
export class FakeSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((event: unknown) => unknown) | null = null;
  onclose: ((event: { code: number; reason: string }) => unknown) | null = null;
  onerror: ((event: unknown) => unknown) | null = null;
  onmessage: ((event: { data: string }) => unknown) | null = null;
  readonly sent: Frame[] = [];
  closedWith: { code?: number; reason?: string } | undefined;
  readonly params: URLSearchParams;

  constructor(
    readonly url: string,
    private readonly network: FakeNetwork,
  ) {
    this.params = new URL(url).searchParams;
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    const frame = JSON.parse(data) as Frame;
    this.sent.push(frame);
    this.network.onSend?.(this, frame);
  }

  /** Client-initiated close: the SDK detaches its handlers first, so no event is delivered. */
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  accept(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  refuse(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: 'refused' });
  }

  /** Abrupt loss, as when the TCP connection dies. */
  kill(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: '' });
  }

  push(frame: object): void {
    if (this.readyState !== 1) return;
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  get token(): string | null {
    return this.params.get('token');
  }

  get deviceId(): string | null {
    return this.params.get('deviceId');
  }
}

/** Hands out FakeSockets through a WebSocket-compatible constructor and records them. */
export class FakeNetwork {
  readonly sockets: FakeSocket[] = [];
  onCreate: ((socket: FakeSocket) => void) | undefined;
  onSend: ((socket: FakeSocket, frame: Frame) => void) | undefined;
  readonly WebSocket: new (
    url: string,
  ) => FakeSocket;

  constructor() {
    const network = this;
    this.WebSocket = class extends FakeSocket {
      constructor(url: string) {
        super(url, network);
        network.sockets.push(this);
        network.onCreate?.(this);
      }
    };
  }

  get last(): FakeSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error('no socket was created');
    return socket;
  }

  get open(): FakeSocket[] {
    return this.sockets.filter((s) => s.readyState === 1);
  }
}
