import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MessengerError } from '../../../client/sdk/errors';
import { MessengerClient, type MessengerClientOptions } from '../../../client/sdk/messenger-client';
import type { ClientStorage } from '../../../client/sdk/storage/client-storage';
import { MemoryStorage } from '../../../client/sdk/storage/memory';
import type { TokenRequest } from '../../../client/sdk/transport/reconnecting-socket';
import type { Message } from '../../../lambdas/shared/protocol';
import { FakeNetwork } from './support/fake-network';
import { FakeServer } from './support/fake-server';

const settle = () => vi.advanceTimersByTimeAsync(0);

interface Made {
  client: MessengerClient;
  tokens: TokenRequest[];
  messages: Message[];
}

const setup = () => {
  const network = new FakeNetwork();
  const server = new FakeServer(network);
  const clients: MessengerClient[] = [];
  const make = async (
    userId: string,
    deviceId = `${userId}-1`,
    options: Partial<MessengerClientOptions> & { storage?: ClientStorage } = {},
  ): Promise<Made> => {
    const tokens: TokenRequest[] = [];
    let issued = 0;
    const client = new MessengerClient({
      url: 'ws://server.test/ws',
      userId,
      deviceId,
      WebSocket: network.WebSocket,
      getToken: (request) => {
        tokens.push(request);
        return `${userId}.${deviceId}.${++issued}`;
      },
      socket: { random: () => 0.5, backoff: { baseMs: 100, maxMs: 1_000 } },
      outboxRetry: { baseMs: 100, maxMs: 1_000, random: () => 0.5 },
      ...options,
    });
    const messages: Message[] = [];
    client.on('message', (m) => messages.push(m));
    clients.push(client);
    await client.start();
    await settle();
    return { client, tokens, messages };
  };
  const socketOf = (deviceId: string) => {
    const socket = network.open.find((s) => s.deviceId === deviceId);
    if (!socket) throw new Error(`${deviceId} has no open socket`);
    return socket;
  };
  return { network, server, make, socketOf, clients };
};

describe('MessengerClient', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('correlates answers with requests by requestId', async () => {
    // Prepare
    const { make } = setup();
    const { client } = await make('alice');

    // Act
    const [direct, list] = await Promise.all([
      client.openDirect('bob'),
      client.request('listConversations', {}),
    ]);

    // Assess
    expect(direct.conversationId).toBe('dm:alice:bob');
    expect(list.conversations.map((c) => c.conversationId)).toEqual(['dm:alice:bob']);
    expect(client.conversations().map((c) => c.conversationId)).toEqual(['dm:alice:bob']);
  });

  it('rejects a request that gets no answer in time, and probes the connection', async () => {
    // Prepare
    const { make, server, socketOf } = setup();
    const { client } = await make('alice', 'a1', { requestTimeoutMs: 5_000 });
    server.silent = true;

    // Act
    const outcome = client.openDirect('bob').catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(4_999);
    const early = await Promise.race([outcome, Promise.resolve('pending')]);
    await vi.advanceTimersByTimeAsync(1);

    // Assess
    expect(early).toBe('pending');
    const error = await outcome;
    expect(error).toBeInstanceOf(MessengerError);
    expect((error as MessengerError).code).toBe('TIMEOUT');
    expect(socketOf('a1').sent.at(-1)?.action).toBe('ping');
  });

  it('resends a message with the same clientMessageId after the connection drops before the ack', async () => {
    // Prepare: the server commits the first send, but the connection dies before the ack leaves.
    const { make, server } = setup();
    server.createDirect('alice', 'bob');
    const { client, messages } = await make('alice');
    let dropped = false;
    server.deliverEvent = (socket, event) => {
      if (event.type !== 'message' || dropped) return true;
      dropped = true;
      socket.kill();
      return false;
    };

    // Act
    const sent = client.sendMessage('dm:alice:bob', 'hello', { clientMessageId: 'cm-1' });
    await vi.advanceTimersByTimeAsync(2_000);

    // Assess
    const message = await sent;
    const attempts = server.requests('sendMessage');
    expect(attempts).toHaveLength(2);
    expect(attempts.map((f) => f.clientMessageId)).toEqual(['cm-1', 'cm-1']);
    expect(server.room('dm:alice:bob').messages).toHaveLength(1);
    expect(message.seq).toBe(1);
    expect(messages.map((m) => m.seq)).toEqual([1]);
    expect(client.pending()).toEqual([]);
  });

  it('keeps messages while offline and sends them one at a time, in order, when back', async () => {
    // Prepare
    const { make, server, network, socketOf } = setup();
    server.createDirect('alice', 'bob');
    const { client } = await make('alice');
    server.accepting = false;
    socketOf('alice-1').kill();
    const inFlight: number[] = [];
    let open = 0;
    server.answerFilter = (_socket, frame, deliver) => {
      if (frame.action !== 'sendMessage') return true;
      inFlight.push(++open);
      setTimeout(() => {
        open -= 1;
        deliver();
      }, 50);
      return false;
    };

    // Act
    const sends = ['one', 'two', 'three'].map((body) => client.sendMessage('dm:alice:bob', body));
    await vi.advanceTimersByTimeAsync(5_000);
    const whileOffline = client.pending().map((e) => e.body);
    server.accepting = true;
    await vi.advanceTimersByTimeAsync(5_000);

    // Assess
    expect(whileOffline).toEqual(['one', 'two', 'three']);
    expect(network.sockets.length).toBeGreaterThan(2);
    const stored = await Promise.all(sends);
    expect(stored.map((m) => [m.seq, m.body])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
    expect(Math.max(...inFlight)).toBe(1);
    expect(client.messages('dm:alice:bob').map((m) => m.body)).toEqual(['one', 'two', 'three']);
  });

  it('retries a CONFLICT with the same id and gives up for good on BAD_REQUEST', async () => {
    // Prepare
    const { make, server } = setup();
    server.createDirect('alice', 'bob');
    const { client } = await make('alice');
    server.failNext.set('sendMessage', ['CONFLICT', 'INTERNAL']);
    let refused = false;
    server.failWhen = (frame) => {
      if (frame.clientMessageId !== 'x2' || refused) return undefined;
      refused = true;
      return 'BAD_REQUEST';
    };
    const changes: string[] = [];
    client.on('outbox', (change) => changes.push(`${change.entry.body}:${change.state}`));

    // Act
    const first = client.sendMessage('dm:alice:bob', 'first', { clientMessageId: 'x1' });
    const second = client
      .sendMessage('dm:alice:bob', 'second', { clientMessageId: 'x2' })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5_000);

    // Assess: 'first' went three times (CONFLICT, INTERNAL, stored); 'second' was refused.
    expect((await first).seq).toBe(1);
    expect(server.requests('sendMessage').map((f) => f.clientMessageId)).toEqual(['x1', 'x1', 'x1', 'x2']);
    const refusal = await second;
    expect((refusal as MessengerError).code).toBe('BAD_REQUEST');
    expect(client.pending().map((e) => [e.clientMessageId, e.state])).toEqual([['x2', 'failed']]);
    expect(changes).toEqual(['first:pending', 'second:pending', 'first:sent', 'second:failed']);

    // Act: a failed message can be sent again by hand.
    client.retryMessage('x2');
    await vi.advanceTimersByTimeAsync(1_000);

    // Assess
    expect(client.pending()).toEqual([]);
    expect(client.messages('dm:alice:bob').map((m) => m.body)).toEqual(['first', 'second']);
  });

  it('waits as long as a RATE_LIMITED answer asks before resending', async () => {
    // Prepare
    const { make, server } = setup();
    server.createDirect('alice', 'bob');
    const { client } = await make('alice');
    server.failNext.set('sendMessage', ['RATE_LIMITED']);
    server.retryAfterMs = 3_000;

    // Act
    const sent = client.sendMessage('dm:alice:bob', 'easy', { clientMessageId: 'q1' });
    await vi.advanceTimersByTimeAsync(2_900);
    const beforeWindowEnds = server.requests('sendMessage').length;
    await vi.advanceTimersByTimeAsync(200);

    // Assess: the outbox's own backoff (100 ms here) would have resent long before
    expect(beforeWindowEnds).toBe(1);
    expect((await sent).seq).toBe(1);
    expect(server.requests('sendMessage').map((f) => f.clientMessageId)).toEqual(['q1', 'q1']);
  });

  it('shows a message delivered twice only once', async () => {
    // Prepare
    const { make, server, socketOf } = setup();
    const id = server.createDirect('alice', 'bob');
    const { messages } = await make('alice');

    // Act
    const m = server.append(id, 'bob', 'hi');
    socketOf('alice-1').push({ type: 'message', message: m });
    socketOf('alice-1').push({ type: 'message', message: m });
    await settle();

    // Assess
    expect(messages.map((x) => x.seq)).toEqual([1]);
  });

  it('fills a gap with sync when an event is lost', async () => {
    // Prepare
    const { make, server } = setup();
    const id = server.createDirect('alice', 'bob');
    const { client, messages } = await make('alice', 'alice-1', { gapFillDelayMs: 100 });
    server.deliverEvent = (_socket, event) => !(event.type === 'message' && event.message.seq === 2);

    // Act
    for (const body of ['a', 'b', 'c']) server.append(id, 'bob', body);
    await settle();
    const beforeFill = client.messages(id).map((m) => m.seq);
    await vi.advanceTimersByTimeAsync(100);

    // Assess
    expect(beforeFill).toEqual([1]);
    expect(server.requests('sync').at(-1)).toMatchObject({ conversationId: id, afterSeq: 1 });
    expect(messages.map((m) => m.body)).toEqual(['a', 'b', 'c']);
  });

  it('after a reconnect catches up every conversation whose lastSeq moved, and only those', async () => {
    // Prepare
    const { make, server, socketOf } = setup();
    const withBob = server.createDirect('alice', 'bob');
    const withCarol = server.createDirect('alice', 'carol');
    const withDan = server.createDirect('alice', 'dan');
    server.append(withDan, 'dan', 'old news');
    server.append(withBob, 'bob', 'before');
    const { client } = await make('alice');
    const synced: number[] = [];
    client.on('synced', ({ fetched }) => synced.push(fetched));
    server.accepting = false;
    socketOf('alice-1').kill();

    // Act: while alice is away, two conversations move.
    for (let i = 0; i < 250; i++) server.append(withBob, 'bob', `b${i}`);
    server.append(withCarol, 'carol', 'hello');
    const syncsBefore = server.requests('sync').length;
    await vi.advanceTimersByTimeAsync(3_000);
    server.accepting = true;
    await vi.advanceTimersByTimeAsync(3_000);

    // Assess
    const syncs = server.requests('sync').slice(syncsBefore);
    expect(syncs.map((f) => [f.conversationId, f.afterSeq])).toEqual(
      expect.arrayContaining([
        [withBob, 1],
        [withBob, 201],
        [withCarol, 0],
      ]),
    );
    expect(syncs.some((f) => f.conversationId === withDan)).toBe(false);
    expect(client.messages(withBob)).toHaveLength(251);
    expect(client.messages(withCarol).map((m) => m.body)).toEqual(['hello']);
    expect(synced.at(-1)).toBe(251);
    expect(client.conversation(withBob)?.unread).toBe(251);
  });

  it('asks the token callback for a fresh token on every reconnect', async () => {
    // Prepare
    const { make, network, socketOf } = setup();
    const { tokens } = await make('alice');

    // Act
    for (let i = 0; i < 3; i++) {
      socketOf('alice-1').kill();
      await vi.advanceTimersByTimeAsync(2_000);
    }

    // Assess
    expect(tokens.map((t) => t.reason)).toEqual(['initial', 'reconnect', 'reconnect', 'reconnect']);
    const used = network.sockets.map((s) => s.token);
    expect(new Set(used).size).toBe(4);
  });

  it('settles a send when its own message event arrives before the ack', async () => {
    // Prepare
    const { make, server } = setup();
    const id = server.createDirect('alice', 'bob');
    const { client, messages } = await make('alice');
    const acks: (() => void)[] = [];
    server.answerFilter = (_s, frame, deliver) => {
      if (frame.action !== 'sendMessage') return true;
      acks.push(deliver);
      return false;
    };

    // Act
    const sent = client.sendMessage(id, 'quick');
    await settle();
    const pendingBeforeAck = client.pending().length;
    for (const deliver of acks) deliver();
    await settle();

    // Assess
    expect(pendingBeforeAck).toBe(0);
    expect((await sent).seq).toBe(1);
    expect(messages.map((m) => m.body)).toEqual(['quick']);
  });

  it('shows the same read state on every device of a user through receipts', async () => {
    // Prepare
    const { make, server } = setup();
    const id = server.createDirect('alice', 'bob');
    const phone = await make('alice', 'phone');
    const laptop = await make('alice', 'laptop');
    const bob = await make('bob');
    for (const body of ['1', '2', '3']) await bob.client.sendMessage(id, body);
    await settle();
    expect(phone.client.conversation(id)?.unread).toBe(3);
    expect(laptop.client.conversation(id)?.unread).toBe(3);

    // Act
    await phone.client.markRead(id);
    await settle();

    // Assess
    expect(laptop.client.conversation(id)?.unread).toBe(0);
    expect(laptop.client.conversation(id)?.readSeq).toBe(3);
    expect(bob.client.conversation(id)?.readBy).toEqual({ alice: 3 });
  });

  it('resends a read mark made while offline on the next catch-up', async () => {
    // Prepare
    const { make, server, socketOf } = setup();
    const id = server.createDirect('alice', 'bob');
    server.append(id, 'bob', 'hi');
    const { client } = await make('alice');
    server.accepting = false;
    socketOf('alice-1').kill();

    // Act
    await client.markRead(id);
    server.accepting = true;
    await vi.advanceTimersByTimeAsync(3_000);

    // Assess
    expect(server.room(id).readSeqs.get('alice')).toBe(1);
  });

  it('resumes the outbox with the same ids after a restart on the same storage', async () => {
    // Prepare
    const { make, server, socketOf, clients } = setup();
    const id = server.createDirect('alice', 'bob');
    const storage = new MemoryStorage();
    const first = await make('alice', 'a1', { storage });
    server.accepting = false;
    socketOf('a1').kill();
    const lost = first.client
      .sendMessage(id, 'survives', { clientMessageId: 'keep-me' })
      .catch(() => 'stopped');
    await settle();
    await first.client.stop();
    expect(await lost).toBe('stopped');

    // Act
    server.accepting = true;
    const second = await make('alice', 'a1', { storage });
    await vi.advanceTimersByTimeAsync(1_000);

    // Assess
    expect(server.requests('sendMessage').map((f) => f.clientMessageId)).toEqual(['keep-me']);
    expect(second.client.messages(id).map((m) => m.body)).toEqual(['survives']);
    expect(second.client.pending()).toEqual([]);
    expect(clients).toHaveLength(2);
  });

  it('scrolls back through history page by page', async () => {
    // Prepare
    const { make, server } = setup();
    const id = server.createDirect('alice', 'bob');
    for (let i = 1; i <= 25; i++) server.append(id, 'bob', `m${i}`);
    const { client } = await make('alice', 'a1', { initialWindow: 10 });
    await vi.advanceTimersByTimeAsync(100);
    expect(client.messages(id).map((m) => m.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);

    // Act
    const page1 = await client.loadOlder(id, 10);
    const page2 = await client.loadOlder(id, 10);

    // Assess
    expect(page1.messages.map((m) => m.seq)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(page1.hasMore).toBe(true);
    expect(page2.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(page2.hasMore).toBe(false);
    expect(client.messages(id)).toHaveLength(25);
  });

  it('throttles typing notices per conversation', async () => {
    // Prepare
    const { make, server } = setup();
    const id = server.createDirect('alice', 'bob');
    const { client } = await make('alice');

    // Act
    for (let i = 0; i < 10; i++) {
      client.sendTyping(id);
      await vi.advanceTimersByTimeAsync(500);
    }

    // Assess: 5 s of keystrokes, one notice per 3 s.
    expect(server.requests('typing')).toHaveLength(2);
  });

  it('learns a conversation it first meets through a message event', async () => {
    // Prepare
    const { make, server } = setup();
    const { client } = await make('alice');
    const id = server.createDirect('alice', 'bob');

    // Act
    server.append(id, 'bob', 'surprise');
    await vi.advanceTimersByTimeAsync(500);

    // Assess
    expect(client.conversations().map((c) => [c.conversationId, c.memberIds])).toEqual([
      [id, ['alice', 'bob']],
    ]);
    expect(client.messages(id).map((m) => m.body)).toEqual(['surprise']);
  });

  it('looks up the presence of a direct peer it just opened a chat with', async () => {
    // Prepare
    const { make, server } = setup();
    const { client } = await make('alice');
    await make('bob');

    // Act
    await client.openDirect('bob');
    await vi.advanceTimersByTimeAsync(100);

    // Assess
    expect(server.requests('getPresence').at(-1)?.userIds).toEqual(['bob']);
    expect(client.presence('bob')?.status).toBe('online');
  });

  it('stops syncing a conversation once sync says nothing more is visible (a removed member)', async () => {
    // Prepare: the list shows the head at 5, but sync stops at 2 for this member.
    const { make, server } = setup();
    const id = server.createDirect('alice', 'bob');
    for (const body of ['1', '2', '3', '4', '5']) server.append(id, 'bob', body);
    const room = server.room(id);
    const visible = room.messages.slice(0, 2);
    server.answerFilter = (socket, frame) => {
      if (frame.action !== 'sync') return true;
      socket.push({
        type: 'messages',
        requestId: frame.requestId,
        conversationId: id,
        messages: visible.filter((m) => m.seq > Number(frame.afterSeq)),
        lastSeq: 2,
        hasMore: false,
      });
      return false;
    };

    // Act
    const { client } = await make('alice');
    await vi.advanceTimersByTimeAsync(5_000);

    // Assess
    expect(client.messages(id).map((m) => m.seq)).toEqual([1, 2]);
    expect(server.requests('sync')).toHaveLength(1);
    expect(client.conversation(id)?.lastSeq).toBe(2);
  });

  it('does not resend an in-flight message when the socket is replaced before the 2-hour limit', async () => {
    // Prepare: connections are rotated at 114 s; the ack is held back until after the switch.
    const { make, server, network } = setup();
    const id = server.createDirect('alice', 'bob');
    const { client } = await make('alice', 'a1', {
      requestTimeoutMs: 200_000,
      socket: { random: () => 0.5, maxConnectionAgeMs: 120_000, drainMs: 15_000 },
    });
    const acks: (() => void)[] = [];
    server.answerFilter = (_socket, frame, deliver) => {
      if (frame.action !== 'sendMessage') return true;
      acks.push(deliver);
      return false;
    };
    // Only the ack can settle the send (its own message event is lost).
    server.deliverEvent = (_socket, event) => event.type !== 'message';
    const sent = client.sendMessage(id, 'across the switch');
    await settle();

    // Act
    await vi.advanceTimersByTimeAsync(115_000);
    const socketsAfterSwitch = network.sockets.length;
    for (const deliver of acks) deliver();
    await settle();

    // Assess: the answer came back on the old socket, and nothing was sent twice.
    expect(socketsAfterSwitch).toBe(2);
    expect((await sent).seq).toBe(1);
    expect(server.requests('sendMessage')).toHaveLength(1);
    expect(client.status).toBe('online');
  });
});
