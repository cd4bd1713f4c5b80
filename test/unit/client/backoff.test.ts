import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backoff, backoffCeiling, fullJitterDelay } from '../../../client/sdk/backoff';

describe('backoff with full jitter', () => {
  it('doubles the ceiling per attempt until it reaches the maximum', () => {
    // Act
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 7, 50].map((a) => backoffCeiling(a, 500, 30_000));

    // Assess
    expect(ceilings).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('keeps every delay in [0, ceiling) for any attempt and any random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (attempt, r, baseMs, extra) => {
          const maxMs = baseMs + extra;
          const delay = fullJitterDelay(attempt, baseMs, maxMs, () => r);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(backoffCeiling(attempt, baseMs, maxMs));
          expect(delay).toBeLessThan(maxMs);
        },
      ),
    );
  });

  it('spreads delays over the whole range instead of clustering (jitter)', () => {
    // Prepare
    const backoff = new Backoff({ baseMs: 1000, maxMs: 1000 });

    // Act
    const delays = Array.from({ length: 2000 }, () => backoff.next());

    // Assess: roughly uniform on [0, 1000): every tenth of the range is hit, mean near the middle.
    const deciles = new Set(delays.map((d) => Math.floor(d / 100)));
    expect(deciles.size).toBe(10);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(mean).toBeGreaterThan(400);
    expect(mean).toBeLessThan(600);
  });

  it('counts attempts and starts over after reset', () => {
    // Prepare
    const backoff = new Backoff({ baseMs: 100, maxMs: 10_000, random: () => 0.999 });

    // Act
    const first = [backoff.next(), backoff.next(), backoff.next()];
    backoff.reset();
    const again = backoff.next();

    // Assess
    expect(first).toEqual([99, 199, 399]);
    expect(again).toBe(99);
    expect(backoff.attempts).toBe(1);
  });

  it('refuses a maximum below the base', () => {
    expect(() => new Backoff({ baseMs: 1000, maxMs: 10 })).toThrow(RangeError);
  });
});
