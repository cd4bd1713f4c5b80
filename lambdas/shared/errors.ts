import type { ErrorCodeName } from './protocol';

/**
 * The error taxonomy. Every error a client may see is an AppError with a protocol code and
 * `expose: true`; anything else becomes INTERNAL at the edge, with no detail leaked.
 */

/** The protocol's error codes. */
export type ErrorCode = ErrorCodeName;

export interface AppErrorOptions {
  cause?: unknown;
  /** Ids and codes only: logged, never sent to the client. */
  context?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly context: Record<string, unknown>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly expose: boolean,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.context = options.context ?? {};
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super('BAD_REQUEST', message, true, options);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super('PAYLOAD_TOO_LARGE', message, true, options);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super('UNAUTHORIZED', message, true, options);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super('FORBIDDEN', message, true, options);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super('NOT_FOUND', message, true, options);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super('CONFLICT', message, true, options);
  }
}

export class RateLimitedError extends AppError {
  /** When the quota has room again, if known: sent to the client as `retryAfterMs`. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options?: AppErrorOptions & { retryAfterMs?: number }) {
    super('RATE_LIMITED', message, true, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** A failure of ours or of AWS: logged with its cause, shown to the client only as INTERNAL. */
export class InternalError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super('INTERNAL', message, false, options);
  }
}

/** Contention that outlasted the bounded retries of the send path. */
export class ContentionError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super('CONFLICT', message, true, options);
  }
}
