import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReconnectingSocket, type TokenRequest } from '../../../client/sdk/transport/reconnecting-socket';
import { FakeNetwork } from './support/fake-network';

const MINUTE = 60_000;

const setup = (overrides: Partial<ConstructorParameters<typeof ReconnectingSocket>[0]> = {}) => {
  const network = new FakeNetwork();
  const tokens: TokenRequest[] = [];
  let issued = 0;
  const socket = new ReconnectingSocket({
    url: 'ws://server.test/ws',
    deviceId: 'device-1',
    getToken: (request) => {
      tokens.push(request);
      issued += 1;
      return `token-${issued}`;
    },
    WebSocket: network.WebSocket,
    random: () => 0.5,
    ...overrides,
  });
  const opens: string[] = [];
  const closes: (number | undefined)[] = [];
  socket.on('open', ({ reason }) => opens.push(reason));
  socket.on('close', ({ retryInMs }) => closes.push(retryInMs));
  return { network, socket, tokens, opens, closes };
};

describe('ReconnectingSocket', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('puts a fresh token and the deviceId in every handshake URL', async () => {
    // Prepare
    const { network, socket, tokens } = setup();

    // Act
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    network.last.accept();
    network.last.kill();
    await vi.advanceTimersByTimeAsync(10_000);

    // Assess
    expect(network.sockets.map((s) => s.token)).toEqual(['token-1', 'token-2']);
    expect(network.sockets.every((s) => s.deviceId === 'device-1')).toBe(true);
    expect(tokens.map((t) => t.reason)).toEqual(['initial', 'reconnect']);
  });

  it('pings every heartbeat interval, well inside the 10-minute idle timeout', async () => {
    // Prepare
    const { network, socket } = setup();
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = network.last;
    ws.accept();
    const pings = () => ws.sent.filter((f) => f.action === 'ping');
    const answer = () => {
      const last = pings().at(-1);
      ws.push({ type: 'pong', requestId: last?.requestId });
    };

    // Act + Assess
    await vi.advanceTimersByTimeAsync(59_999);
    expect(pings()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(pings()).toHaveLength(1);
    answer();
    for (let i = 0; i < 9; i++) {
      await vi.advanceTimersByTimeAsync(MINUTE);
      answer();
    }
    expect(pings()).toHaveLength(10);
    expect(socket.isOpen).toBe(true);
    expect(network.sockets).toHaveLength(1);
  });

  it('refuses a heartbeat interval at or above the idle timeout', () => {
    expect(() => setup({ heartbeatIntervalMs: 10 * MINUTE })).toThrow(RangeError);
  });

  it('declares the connection dead when a ping goes unanswered, and reconnects', async () => {
    // Prepare
    const { network, socket, closes } = setup({ heartbeatIntervalMs: 30_000, heartbeatTimeoutMs: 5_000 });
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    network.last.accept();

    // Act: the ping at 30 s is never answered.
    await vi.advanceTimersByTimeAsync(30_000 + 4_999);
    const before = closes.length;
    await vi.advanceTimersByTimeAsync(1);

    // Assess
    expect(before).toBe(0);
    expect(closes).toHaveLength(1);
    expect(network.sockets[0]?.closedWith?.reason).toBe('heartbeat timeout');
    await vi.advanceTimersByTimeAsync(closes[0] ?? 0);
    expect(network.sockets).toHaveLength(2);
  });

  it('backs off with bounded full jitter while handshakes keep failing', async () => {
    // Prepare: random 0.999 shows the ceilings; base 1 s, max 8 s.
    const { network, socket } = setup({ random: () => 0.999, backoff: { baseMs: 1000, maxMs: 8000 } });
    const times: number[] = [];
    network.onCreate = (ws) => {
      times.push(Date.now());
      void Promise.resolve().then(() => ws.refuse(1006));
    };

    // Act
    socket.start();
    await vi.advanceTimersByTimeAsync(60_000);

    // Assess: gaps just under 1, 2, 4, 8, 8, 8 ... seconds.
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(gaps.slice(0, 6)).toEqual([999, 1998, 3996, 7992, 7992, 7992]);
    expect(Math.max(...gaps)).toBeLessThan(8000);
  });

  it('starts backoff over once a connection has answered a frame', async () => {
    // Prepare
    const { network, socket, closes } = setup({
      random: () => 0.999,
      backoff: { baseMs: 1000, maxMs: 60_000 },
    });
    network.onCreate = (ws) => void Promise.resolve().then(() => ws.refuse());
    socket.start();
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000);
    network.onCreate = (ws) => void Promise.resolve().then(() => ws.accept());
    await vi.advanceTimersByTimeAsync(8000);
    expect(socket.isOpen).toBe(true);

    // Act
    network.last.push({ type: 'pong', requestId: 'someone-else' });
    network.last.kill();

    // Assess: the first delay again.
    expect(closes.at(-1)).toBe(999);
  });

  it('opens a replacement before the 2-hour limit and switches without a gap', async () => {
    // Prepare
    const { network, socket, opens, closes, tokens } = setup({ drainMs: 5_000 });
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    network.last.accept();
    const frames: unknown[] = [];
    socket.on('frame', (f) => frames.push(f));
    const first = network.last;
    // Keep heartbeats answered for the whole span.
    network.onSend = (ws, frame) => {
      if (frame.action === 'ping')
        void Promise.resolve().then(() => ws.push({ type: 'pong', requestId: frame.requestId }));
    };
    network.onCreate = (ws) => void Promise.resolve().then(() => ws.accept());

    // Act: with random 0.5 the rotation is due at 110 min * 0.95 = 104.5 min.
    await vi.advanceTimersByTimeAsync(104 * MINUTE);
    expect(network.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(30_000);

    // Assess
    expect(network.sockets).toHaveLength(2);
    expect(opens).toEqual(['initial', 'rotate']);
    expect(tokens.at(-1)?.reason).toBe('rotate');
    expect(closes).toEqual([]);
    // The old socket still delivers late answers during the drain, then closes.
    first.push({ type: 'ok', requestId: 'late' });
    expect(frames).toContainEqual({ type: 'ok', requestId: 'late' });
    expect(first.closedWith).toBeUndefined();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(first.closedWith?.reason).toBe('replaced');
    expect(socket.send({ action: 'ping', requestId: 'x' })).toBe(true);
    expect(network.sockets[1]?.sent.at(-1)).toEqual({ action: 'ping', requestId: 'x' });
  });

  it('retries a failed token fetch with backoff', async () => {
    // Prepare
    let calls = 0;
    const network = new FakeNetwork();
    const socket = new ReconnectingSocket({
      url: 'ws://server.test/ws',
      deviceId: 'd',
      WebSocket: network.WebSocket,
      random: () => 0.5,
      getToken: async () => {
        calls += 1;
        if (calls < 3) throw new Error('identity provider down');
        return 'ok';
      },
    });
    const errors: string[] = [];
    socket.on('error', (e) => errors.push(e.message));

    // Act
    socket.start();
    await vi.advanceTimersByTimeAsync(10_000);

    // Assess
    expect(errors).toEqual(['identity provider down', 'identity provider down']);
    expect(network.sockets.map((s) => s.token)).toEqual(['ok']);
  });

  it('abandons a handshake that hangs', async () => {
    // Prepare
    const { network, socket } = setup({ connectTimeoutMs: 2_000 });

    // Act
    socket.start();
    await vi.advanceTimersByTimeAsync(2_000);

    // Assess
    expect(network.sockets[0]?.closedWith?.reason).toBe('connect timeout');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(network.sockets).toHaveLength(2);
  });

  it('gives up on a token provider that never answers, and tries again', async () => {
    // Prepare
    let calls = 0;
    const network = new FakeNetwork();
    const socket = new ReconnectingSocket({
      url: 'ws://server.test/ws',
      deviceId: 'd',
      WebSocket: network.WebSocket,
      random: () => 0.5,
      connectTimeoutMs: 3_000,
      getToken: () => {
        calls += 1;
        return calls === 1 ? new Promise<string>(() => {}) : 'second';
      },
    });

    // Act
    socket.start();
    await vi.advanceTimersByTimeAsync(2_999);
    const before = network.sockets.length;
    await vi.advanceTimersByTimeAsync(1_000);

    // Assess
    expect(before).toBe(0);
    expect(network.sockets.map((s) => s.token)).toEqual(['second']);
  });

  it('stops for good on stop()', async () => {
    // Prepare
    const { network, socket } = setup();
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    network.last.accept();

    // Act
    socket.stop();
    network.last.kill();
    await vi.advanceTimersByTimeAsync(10 * MINUTE);

    // Assess
    expect(network.sockets).toHaveLength(1);
    expect(socket.status).toBe('stopped');
  });
});
