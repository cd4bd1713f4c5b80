import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnectionRegistry } from './connection-registry';

const CONNECTIONS_PATH = /^(?:\/[^/]+)*\/@connections\/([^/?]+)\/?$/;

/** The connection id of an `@connections` URL (with or without a stage prefix), else undefined. */
export const connectionIdOf = (path: string): string | undefined => {
  const match = CONNECTIONS_PATH.exec(path);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1] as string);
  } catch {
    return undefined;
  }
};

const sendJson = (response: ServerResponse, statusCode: number, body?: unknown, errorType?: string): void => {
  const headers: Record<string, string> = { 'x-amzn-RequestId': randomUUID() };
  if (errorType) headers['x-amzn-ErrorType'] = errorType;
  if (body === undefined) {
    response.writeHead(statusCode, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  response
    .writeHead(statusCode, {
      ...headers,
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text).toString(),
    })
    .end(text);
};

const gone = (response: ServerResponse): void => sendJson(response, 410, { message: null }, 'GoneException');

/** Reads the body, or undefined once it grows past the limit (the rest is drained, not kept). */
const readBody = (request: IncomingMessage, limitBytes: number): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > limitBytes ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });

/**
 * The `@connections` management API of the stage (what `ApiGatewayManagementApiClient` calls):
 * POST sends data to a connection, GET describes it, DELETE closes it. Errors have the REST-JSON shape
 * the SDK turns into `GoneException` and `PayloadTooLargeException`.
 */
export class ManagementApi {
  /** Answers given so far, by kind: what tests and /dev/connections look at. */
  readonly stats = { posted: 0, gone: 0, tooLarge: 0, described: 0, deleted: 0 };

  constructor(
    private readonly connections: ConnectionRegistry,
    private readonly limits: { readonly messageBytes: number },
  ) {}

  async handle(request: IncomingMessage, response: ServerResponse, connectionId: string): Promise<void> {
    switch (request.method) {
      case 'POST':
        return this.post(request, response, connectionId);
      case 'GET':
        request.resume();
        return this.describe(response, connectionId);
      case 'DELETE':
        request.resume();
        return this.remove(response, connectionId);
      default:
        request.resume();
        sendJson(
          response,
          403,
          { message: 'Missing Authentication Token' },
          'MissingAuthenticationTokenException',
        );
    }
  }

  private async post(
    request: IncomingMessage,
    response: ServerResponse,
    connectionId: string,
  ): Promise<void> {
    const data = await readBody(request, this.limits.messageBytes);
    if (data === undefined) {
      this.stats.tooLarge += 1;
      sendJson(
        response,
        413,
        { message: `Message payload exceeds the ${this.limits.messageBytes} byte limit` },
        'PayloadTooLargeException',
      );
      return;
    }
    const connection = this.connections.get(connectionId);
    try {
      if (!connection) throw new Error('gone');
      await connection.send(data);
    } catch {
      this.stats.gone += 1;
      gone(response);
      return;
    }
    this.stats.posted += 1;
    sendJson(response, 200);
  }

  private describe(response: ServerResponse, connectionId: string): void {
    const connection = this.connections.get(connectionId);
    if (!connection) {
      this.stats.gone += 1;
      gone(response);
      return;
    }
    this.stats.described += 1;
    sendJson(response, 200, {
      connectedAt: new Date(connection.connectedAt).toISOString(),
      identity: { ...connection.identity },
      lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
    });
  }

  private remove(response: ServerResponse, connectionId: string): void {
    const connection = this.connections.get(connectionId);
    if (!connection) {
      this.stats.gone += 1;
      gone(response);
      return;
    }
    this.stats.deleted += 1;
    connection.close(1000, '');
    sendJson(response, 204);
  }
}
