import type { IncomingMessage, ServerResponse } from 'node:http';

export const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
};

export const sendJson = (response: ServerResponse, statusCode: number, body: unknown): void => {
  const text = JSON.stringify(body);
  response
    .writeHead(statusCode, {
      ...CORS_HEADERS,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text).toString(),
      'Cache-Control': 'no-store',
    })
    .end(text);
};

export class BadJsonError extends Error {
  constructor(message = 'The body must be a JSON object') {
    super(message);
    this.name = 'BadJsonError';
  }
}

/** A small JSON object body (at most 64 KB). */
export const readJsonObject = async (request: IncomingMessage): Promise<Record<string, unknown>> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new BadJsonError('The body is too large');
    chunks.push(chunk as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new BadJsonError();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadJsonError();
  return value as Record<string, unknown>;
};
