import { AppError, BadRequestError, PayloadTooLargeError, RateLimitedError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { type ErrorFrame, LIMITS } from '../shared/protocol';
import { requestIdSchema } from '../shared/request-schemas';
import type { WebSocketEvent, WebSocketResult } from './websocket-event';

export interface ParsedFrame {
  requestId: string;
  action: unknown;
  fields: Record<string, unknown>;
}

const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Reads the frame's JSON and its requestId; the error carries the requestId when one was readable. */
export const parseFrame = (event: WebSocketEvent): ParsedFrame => {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  if (byteLength(raw) > LIMITS.frameBytes) throw new PayloadTooLargeError('Frames are limited to 32 KB');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new BadRequestError('The frame is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError('The frame must be a JSON object');
  }
  const fields = value as Record<string, unknown>;
  const requestId = requestIdSchema.safeParse(fields.requestId);
  if (!requestId.success) throw new BadRequestError('requestId must be a string of 1-64 characters');
  return { requestId: requestId.data, action: fields.action, fields };
};

/** The requestId of a frame that failed before parsing finished, when it can still be read. */
export const salvageRequestId = (event: WebSocketEvent): string | undefined => {
  try {
    const value = JSON.parse(event.body ?? '') as { requestId?: unknown };
    const parsed = requestIdSchema.safeParse(value?.requestId);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};

export const errorFrame = (error: unknown, requestId: string | undefined, log: Logger): ErrorFrame => {
  const exposed = error instanceof AppError && error.expose;
  if (exposed) {
    log.info('request refused', { code: error.code, requestId, ...error.context });
  } else {
    log.error('request failed', { requestId, error });
  }
  return {
    type: 'error',
    ...(requestId === undefined ? {} : { requestId }),
    code: exposed ? error.code : 'INTERNAL',
    message: exposed ? error.message : 'Internal error',
    ...(error instanceof RateLimitedError && error.retryAfterMs !== undefined
      ? { retryAfterMs: error.retryAfterMs }
      : {}),
  };
};

export const frameResult = (frame: unknown): WebSocketResult => ({
  statusCode: 200,
  body: JSON.stringify(frame),
});
