import type { ErrorCodeName } from '../../lambdas/shared/protocol';

/** The protocol's error codes plus the client's own: a request that timed out or lost its socket. */
export type ClientErrorCode = ErrorCodeName | 'TIMEOUT' | 'DISCONNECTED' | 'STOPPED';

/** Every error the SDK surfaces: a server `error` frame, or a local failure with its own code. */
export class MessengerError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly requestId?: string,
    /** On RATE_LIMITED, when the server says its quota has room again. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'MessengerError';
  }
}

/** Codes after which sending the same request again may succeed. */
const RETRYABLE: ReadonlySet<ClientErrorCode> = new Set([
  'CONFLICT',
  'INTERNAL',
  'RATE_LIMITED',
  'TIMEOUT',
  'DISCONNECTED',
]);

export const isRetryable = (error: unknown): boolean =>
  error instanceof MessengerError && RETRYABLE.has(error.code);
