import { WebSocket } from 'ws';

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

type Frame = Record<string, unknown>;

/** A WebSocket client for tests: keeps every frame received and waits for the ones asked for. */
export class TestSocket {
  private static requests = 0;
  readonly received: unknown[] = [];
  readonly closed: Promise<Closed>;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const text = data.toString('utf8');
      let value: unknown = isBinary ? data : text;
      if (!isBinary) {
        try {
          value = JSON.parse(text);
        } catch {
          value = text;
        }
      }
      this.received.push(value);
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters) wake();
      });
    });
  }

  static open(url: string): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const client = new TestSocket(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`Handshake refused with ${response.statusCode}`)),
      );
      socket.once('error', reject);
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(data: Frame | string | Buffer, options: { fin?: boolean; binary?: boolean } = {}): void {
    const payload = typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data);
    this.socket.send(payload, { fin: options.fin ?? true, binary: options.binary ?? false });
  }

  /** Sends a request (a requestId is added when missing) and resolves with the frame answering it. */
  async request<T extends Frame = Frame>(frame: Frame, timeoutMs = 10_000): Promise<T> {
    TestSocket.requests += 1;
    const requestId = (frame.requestId as string | undefined) ?? `req-${TestSocket.requests}`;
    this.send({ ...frame, requestId });
    return this.waitFor<T>((value) => (value as Frame)?.requestId === requestId, timeoutMs);
  }

  /** The first frame received (before or after this call) that satisfies the predicate. */
  waitFor<T = unknown>(predicate: (frame: unknown) => boolean, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.received.find(predicate);
        if (found !== undefined) {
          finish();
          resolve(found as T);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(`No matching frame within ${timeoutMs} ms; received ${JSON.stringify(this.received)}`),
        );
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  close(code = 1000): Promise<Closed> {
    this.socket.close(code);
    return this.closed;
  }

  terminate(): void {
    this.socket.terminate();
  }
}

/** Opens a handshake that is expected to be refused: its HTTP status, and whether a socket ever opened. */
export const refusedHandshake = (
  url: string,
): Promise<{ statusCode: number; opened: boolean; body: string }> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => {
      socket.terminate();
      resolve({ statusCode: 101, opened: true, body: '' });
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () => resolve({ statusCode: response.statusCode ?? 0, opened: false, body }));
    });
    socket.once('error', (error) => {
      if (!String(error.message).includes('Unexpected server response')) reject(error);
    });
  });
