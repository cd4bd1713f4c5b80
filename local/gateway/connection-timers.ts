export type ExpiryReason = 'idle' | 'max-age';

/** API Gateway's idle timeout and connection-duration limit for one connection. */
export class ConnectionTimers {
  private idle?: NodeJS.Timeout;
  private maxAge?: NodeJS.Timeout;

  constructor(
    private readonly limits: { readonly idleTimeoutMs: number; readonly maxConnectionMs: number },
    private readonly onExpire: (reason: ExpiryReason) => void,
  ) {}

  start(): void {
    this.idle = setTimeout(() => this.onExpire('idle'), this.limits.idleTimeoutMs);
    this.maxAge = setTimeout(() => this.onExpire('max-age'), this.limits.maxConnectionMs);
    this.idle.unref();
    this.maxAge.unref();
  }

  /** Traffic on the connection restarts the idle timer. */
  touch(): void {
    this.idle?.refresh();
  }

  stop(): void {
    clearTimeout(this.idle);
    clearTimeout(this.maxAge);
  }
}
