/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * the n-th delay is uniform in [0, min(maxMs, baseMs * 2^n)), so a crowd of clients that lost the
 * server at the same moment spreads out instead of reconnecting in waves.
 */

export interface BackoffOptions {
  /** First ceiling. Default 500 ms. */
  readonly baseMs?: number;
  /** Largest ceiling: no delay is ever this long or longer. Default 30 s. */
  readonly maxMs?: number;
  /** Uniform in [0, 1). Default Math.random. */
  readonly random?: () => number;
}

/** The ceiling of attempt `attempt` (0-based): min(maxMs, baseMs * 2^attempt). */
export const backoffCeiling = (attempt: number, baseMs: number, maxMs: number): number =>
  Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));

/** One full-jitter delay in [0, ceiling). */
export const fullJitterDelay = (
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number => {
  const ceiling = backoffCeiling(attempt, baseMs, maxMs);
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(r * ceiling);
};

/** Counts attempts; `next()` gives the next delay, `reset()` starts over after a success. */
export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 500;
    this.maxMs = options.maxMs ?? 30_000;
    this.random = options.random ?? Math.random;
    if (!(this.baseMs > 0) || !(this.maxMs >= this.baseMs)) {
      throw new RangeError('backoff needs 0 < baseMs <= maxMs');
    }
  }

  /** Attempts made since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  next(): number {
    const delay = fullJitterDelay(this.attempt, this.baseMs, this.maxMs, this.random);
    this.attempt += 1;
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }
}
