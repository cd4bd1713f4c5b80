import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MessengerClient } from '../../client/sdk/messenger-client';
import type { Message } from '../../lambdas/shared/protocol';
import { eventually } from './support/eventually';
import { type LocalStack, startLocalStack } from './support/local-stack';

/**
 * The SDK against the real local runtime while its sockets die at random: two devices of alice and
 * one of bob send concurrently; every few hundred milliseconds one device's socket is terminated
 * (TCP destroyed, no close handshake). Afterwards every device must hold exactly the server's
 * history of every conversation: nothing lost, nothing doubled, nothing out of order.
 */

interface Device {
  readonly name: string;
  readonly userId: string;
  readonly client: MessengerClient;
  readonly sockets: WebSocket[];
  /** clientMessageIds per conversation, in the order sendMessage was called. */
  readonly sentOrder: Map<string, string[]>;
  frames: { sendMessage: number };
  reconnects: number;
}

const MESSAGES_PER_DEVICE = 70;
const MIN_KILLS = 24;

const random = (min: number, max: number) => min + Math.floor(Math.random() * (max - min));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const essence = (m: Message) => ({
  seq: m.seq,
  senderId: m.senderId,
  clientMessageId: m.clientMessageId,
  body: m.body,
});

describe('SDK against the local runtime with sockets killed at random', () => {
  let stack: LocalStack;
  const devices: Device[] = [];
  /** Error answers the devices got, by code (retryable ones are resent). */
  const errorCodes = new Map<string, number>();

  beforeAll(async () => {
    stack = await startLocalStack();
  });

  afterAll(async () => {
    await Promise.all(devices.map((d) => d.client.stop()));
    await stack?.stop();
  });

  const device = async (userId: string, deviceId: string): Promise<Device> => {
    const sockets: WebSocket[] = [];
    const frames = { sendMessage: 0 };
    /** `ws` with a hook: the test can reach each real socket to kill it. */
    class TrackedWebSocket extends WebSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
        this.on('message', (data) => {
          const text = String(data);
          if (!text.includes('"type":"error"')) return;
          const { code } = JSON.parse(text) as { code: string };
          errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1);
        });
      }
      override send(data: string): void {
        if (data.includes('"action":"sendMessage"')) frames.sendMessage += 1;
        super.send(data);
      }
    }
    const first = await stack.token(userId);
    const client = new MessengerClient({
      url: first.wsUrl,
      userId,
      deviceId,
      WebSocket: TrackedWebSocket,
      getToken: async () => (await stack.token(userId)).token,
      requestTimeoutMs: 5_000,
      gapFillDelayMs: 50,
      socket: { backoff: { baseMs: 50, maxMs: 800 } },
      outboxRetry: { baseMs: 50, maxMs: 500 },
    });
    const d: Device = {
      name: deviceId,
      userId,
      client,
      sockets,
      sentOrder: new Map(),
      frames,
      reconnects: 0,
    };
    client.on('disconnected', () => {
      d.reconnects += 1;
    });
    await client.start();
    await client.once('synced');
    devices.push(d);
    return d;
  };

  /** Every message of a conversation as the server has it: a fresh socket, `sync` from 0. */
  const serverHistory = async (userId: string, conversationId: string): Promise<Message[]> => {
    const socket = await stack.connect(userId, `truth-${Date.now()}`);
    const all: Message[] = [];
    try {
      for (let afterSeq = 0, more = true, n = 0; more; n++) {
        const page = await socket.request<{ messages: Message[]; hasMore: boolean }>({
          action: 'sync',
          requestId: `truth-${n}`,
          conversationId,
          afterSeq,
          limit: 200,
        });
        all.push(...page.messages);
        more = page.hasMore && page.messages.length > 0;
        afterSeq = all.at(-1)?.seq ?? afterSeq;
      }
    } finally {
      await socket.close();
    }
    return all;
  };

  it('leaves every device with exactly the server’s history after at least 20 random kills', async () => {
    // Prepare
    const a1 = await device('alice', 'alice-phone');
    const a2 = await device('alice', 'alice-laptop');
    const b1 = await device('bob', 'bob-phone');
    const withBob = (await a1.client.openDirect('bob')).conversationId;
    const withCarol = (await a1.client.openDirect('carol')).conversationId;
    const team = (await a2.client.createGroup('kill test', ['bob'])).conversationId;
    const targets = new Map<Device, string[]>([
      [a1, [withBob, withCarol, team]],
      [a2, [withBob, withCarol, team]],
      [b1, [withBob, team]],
    ]);
    const started = Date.now();
    let kills = 0;
    let sending = true;

    // Act: senders and a killer, concurrently.
    const sends: Promise<Message>[] = [];
    const senders = [...targets].map(async ([d, conversations]) => {
      for (let i = 0; i < MESSAGES_PER_DEVICE; i++) {
        const conversationId = pick(conversations);
        const clientMessageId = `${d.name}-${i}`;
        const order = d.sentOrder.get(conversationId) ?? [];
        order.push(clientMessageId);
        d.sentOrder.set(conversationId, order);
        sends.push(d.client.sendMessage(conversationId, `${d.name} #${i}`, { clientMessageId }));
        await sleep(random(5, 60));
      }
    });
    const killer = (async () => {
      while (sending || kills < MIN_KILLS) {
        await sleep(random(80, 300));
        const victim = pick(devices);
        const socket = victim.sockets.at(-1);
        if (socket?.readyState === WebSocket.OPEN) {
          socket.terminate();
          kills += 1;
        }
      }
    })();
    await Promise.all(senders);
    const acked = await Promise.all(sends);
    sending = false;
    await killer;

    // Every device reaches the server's head by itself (events, gap fill, catch-up): no nudging.
    const conversations = [withBob, withCarol, team];
    const truth = new Map<string, Message[]>();
    for (const id of conversations) truth.set(id, await serverHistory('alice', id));
    const report = () =>
      devices.map((d) => ({
        device: d.name,
        status: d.client.status,
        sockets: d.sockets.map((s) => s.readyState).join(''),
        held: conversations.map(
          (id) =>
            `${d.client.messages(id).length}/${truth.get(id)?.length}:${d.client.conversation(id)?.lastSeq}`,
        ),
      }));
    await eventually(
      () => {
        for (const d of devices) {
          for (const id of conversations) {
            if (!targets.get(d)?.includes(id)) continue;
            expect(d.client.messages(id).length).toBe(truth.get(id)?.length);
          }
        }
      },
      30_000,
      50,
    ).catch((error: unknown) => {
      console.log(`[client kill test] devices behind the server: ${JSON.stringify(report())}`);
      throw error;
    });
    const duration = Date.now() - started;

    // Assess: the server stored each message once, with seqs 1..N.
    const sent = devices.reduce((n, d) => n + [...d.sentOrder.values()].flat().length, 0);
    // The group's first message is its creation; the rest are the texts sent.
    const stored = [...truth.values()].flat().filter((m) => m.kind === 'text');
    expect(acked).toHaveLength(sent);
    expect(stored).toHaveLength(sent);
    expect(new Set(stored.map((m) => m.clientMessageId)).size).toBe(sent);
    for (const history of truth.values()) {
      expect(history.map((m) => m.seq)).toEqual(history.map((_, i) => i + 1));
    }
    // Each device's messages are stored in the order it sent them (per conversation).
    for (const d of devices) {
      for (const [id, order] of d.sentOrder) {
        const mine = (truth.get(id) ?? []).filter((m) => order.includes(m.clientMessageId));
        expect(mine.map((m) => m.clientMessageId)).toEqual(order);
      }
    }
    // Every device holds exactly the server's history: nothing lost, doubled or out of order.
    for (const d of devices) {
      for (const id of targets.get(d) ?? []) {
        expect(d.client.messages(id).map(essence)).toEqual((truth.get(id) ?? []).map(essence));
        expect(d.client.pending(id)).toEqual([]);
      }
    }
    // Both of alice's devices show the same conversation state.
    for (const id of conversations) {
      const [x, y] = [a1.client.conversation(id), a2.client.conversation(id)];
      expect({ lastSeq: x?.lastSeq, unread: x?.unread }).toEqual({ lastSeq: y?.lastSeq, unread: y?.unread });
    }
    expect(kills).toBeGreaterThanOrEqual(20);

    const frames = devices.reduce((n, d) => n + d.frames.sendMessage, 0);
    const reconnects = devices.reduce((n, d) => n + d.reconnects, 0);
    console.log(
      `[client kill test] messages sent: ${sent} (${conversations.length} conversations, 3 devices), ` +
        `sendMessage frames: ${frames} (resends: ${frames - sent}), kills: ${kills}, ` +
        `reconnects: ${reconnects}, error answers: ${JSON.stringify(Object.fromEntries(errorCodes))}, ` +
        `duration: ${duration} ms`,
    );
  }, 120_000);
});
