import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHandlers } from './support/fake-handlers';
import { type LocalStack, startLocalStack } from './support/local-stack';
import { TestSocket } from './support/test-socket';

const IDLE_MS = 1000;
const MAX_AGE_MS = 2500;
/** Timers may fire a millisecond early; nothing here depends on how late they fire. */
const TIMER_SLACK_MS = 5;

describe('the idle timeout and the connection duration limit', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      handlers: new FakeHandlers().handlers,
      limits: { idleTimeoutMs: IDLE_MS, maxConnectionMs: MAX_AGE_MS },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const open = () => TestSocket.open(`${stack.runtime.wsUrl}?token=user-tim&deviceId=d1`);

  it('closes a connection with 1001 once it has been quiet for the idle timeout', async () => {
    // Prepare
    const socket = await open();
    const lastTraffic = Date.now();
    await socket.request({ action: 'ping' });

    // Act
    const closed = await socket.closed;

    // Assess
    expect(closed).toEqual({ code: 1001, reason: 'Going away' });
    expect(Date.now() - lastTraffic).toBeGreaterThanOrEqual(IDLE_MS - TIMER_SLACK_MS);
  });

  it('keeps a connection with traffic past the idle timeout, and closes it with 1001 at the duration limit', async () => {
    // Prepare
    const socket = await open();
    const openedAt = Date.now();
    const heartbeat = setInterval(() => socket.socket.ping(), 100);

    // Act
    const closed = await socket.closed;
    clearInterval(heartbeat);

    // Assess
    expect(closed.code).toBe(1001);
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(MAX_AGE_MS - TIMER_SLACK_MS);
  });
});
