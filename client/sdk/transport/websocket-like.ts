/**
 * The part of the WHATWG WebSocket that the SDK uses. The browser's WebSocket and the `ws` package's
 * both fit, so Node 20 (which has no global WebSocket) passes `ws` in and browsers pass nothing.
 * Handler parameters are `never` so that either implementation's handler types are assignable.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: never) => unknown) | null;
  onclose: ((event: never) => unknown) | null;
  onerror: ((event: never) => unknown) | null;
  onmessage: ((event: never) => unknown) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export const OPEN = 1;

/** What the SDK reads from a close event. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/** The global WebSocket when there is one (browsers, Node 22+), else undefined. */
export const globalWebSocket = (): WebSocketConstructor | undefined =>
  (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;

const decoder = new TextDecoder();

/** A message event's data as text: a string in browsers, a string or Buffer from `ws`. */
export const messageText = (data: unknown): string | undefined => {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return decoder.decode(data);
  if (ArrayBuffer.isView(data)) return decoder.decode(data);
  return undefined;
};
