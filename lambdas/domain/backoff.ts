export interface BackoffPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseMs: number;
  capMs: number;
}

/** Full jitter: a random delay in [0, min(cap, base * 2^attempt)). */
export const fullJitterDelay = (policy: BackoffPolicy, attempt: number, random: () => number = Math.random) =>
  Math.floor(random() * Math.min(policy.capMs, policy.baseMs * 2 ** attempt));

export const sleep = (ms: number): Promise<void> =>
  ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
