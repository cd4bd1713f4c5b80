import { describe, expect, it } from 'vitest';
import { fullJitterDelay, retrySchedule } from '../../lambdas/domain/backoff';

describe('backoff', () => {
  it('draws full-jitter delays below min(cap, base * 2^attempt)', () => {
    // Prepare
    const policy = { maxAttempts: 10, baseMs: 5, capMs: 250 };

    // Act / Assess
    expect(fullJitterDelay(policy, 1, () => 0.999)).toBe(9);
    expect(fullJitterDelay(policy, 3, () => 0.5)).toBe(20);
    expect(fullJitterDelay(policy, 12, () => 0.999)).toBe(249);
    expect(fullJitterDelay(policy, 12, () => 0)).toBe(0);
  });

  it('stops retrying when the attempts are spent', async () => {
    // Prepare
    const retry = retrySchedule({ maxAttempts: 3, baseMs: 0, capMs: 0 });

    // Act
    const answers = [await retry(0), await retry(1), await retry(2), await retry(3)];

    // Assess
    expect(answers).toEqual([true, true, true, false]);
  });

  it('stops retrying once the time budget has passed, whatever attempts are left', async () => {
    // Prepare
    let now = 1_000;
    const retry = retrySchedule({ maxAttempts: 100, baseMs: 0, capMs: 0, budgetMs: 500 }, () => now);

    // Act
    const first = await retry(0);
    now += 499;
    const beforeDeadline = await retry(1);
    now += 1;
    const atDeadline = await retry(2);

    // Assess
    expect([first, beforeDeadline, atDeadline]).toEqual([true, true, false]);
  });
});
