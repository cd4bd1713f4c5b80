export interface BackoffPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseMs: number;
  capMs: number;
  /** Wall-clock time after which no new attempt starts. */
  budgetMs?: number;
}

/** Full jitter: a random delay in [0, min(cap, base * 2^attempt)). */
export const fullJitterDelay = (policy: BackoffPolicy, attempt: number, random: () => number = Math.random) =>
  Math.floor(random() * Math.min(policy.capMs, policy.baseMs * 2 ** attempt));

export const sleep = (ms: number): Promise<void> =>
  ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));

/**
 * For a retry loop: `await retry(attempt)` before each attempt waits the backoff (none before the
 * first) and answers false once the attempts or the time budget are spent.
 */
export const retrySchedule = (policy: BackoffPolicy, now: () => number = Date.now) => {
  const deadline = now() + (policy.budgetMs ?? Number.POSITIVE_INFINITY);
  return async (attempt: number): Promise<boolean> => {
    if (attempt >= policy.maxAttempts || now() >= deadline) return false;
    if (attempt > 0) await sleep(Math.min(fullJitterDelay(policy, attempt), Math.max(0, deadline - now())));
    return true;
  };
};
