import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Presence, ServerEvent } from '../../lambdas/shared/protocol';
import { type LocalStack, startLocalStack } from './support/local-stack';
import type { TestSocket } from './support/test-socket';

type Event<T extends ServerEvent['type']> = Extract<ServerEvent, { type: T }>;

const isEvent =
  <T extends ServerEvent['type']>(type: T, match: Partial<Event<T>> = {}) =>
  (frame: unknown): boolean => {
    const event = frame as Record<string, unknown> | undefined;
    return (
      event?.type === type &&
      event.requestId === undefined &&
      Object.entries(match).every(([key, value]) => event[key] === value)
    );
  };

const eventsOf = <T extends ServerEvent['type']>(
  socket: TestSocket,
  type: T,
  match: Partial<Event<T>> = {},
): Event<T>[] => socket.received.filter(isEvent(type, match)) as Event<T>[];

describe('presence, receipts and typing through the local runtime', () => {
  let stack: LocalStack;
  let bob: TestSocket;
  let aliceOne: TestSocket;
  let aliceTwo: TestSocket;
  let conversationId: string;
  let markers = 0;

  /**
   * Waits until every stream record written so far has been fanned out. Bob sends two messages and
   * waits for each to reach him: the second is written after the first's batch was read, and the
   * poller hands a shard over one batch at a time, so once it arrives every earlier record's batch
   * has been delivered in full.
   */
  const streamDrained = async () => {
    for (let hop = 0; hop < 2; hop++) {
      markers++;
      const clientMessageId = `marker-${markers}`;
      const ack = await bob.request({ action: 'sendMessage', conversationId, clientMessageId, body: '.' });
      expect(ack.type).toBe('ack');
      await bob.waitFor(
        (frame) =>
          isEvent('message')(frame) &&
          (frame as Event<'message'>).message.clientMessageId === clientMessageId,
      );
    }
  };

  beforeAll(async () => {
    stack = await startLocalStack();
    bob = await stack.connect('bob', 'phone');
    const opened = await bob.request<{ type: string; conversation: Conversation }>({
      action: 'openDirect',
      userId: 'alice',
    });
    expect(opened.type).toBe('conversation');
    conversationId = opened.conversation.conversationId;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('tells bob once that alice came online when her two devices connect', async () => {
    // Act
    [aliceOne, aliceTwo] = await Promise.all([
      stack.connect('alice', 'device-one'),
      stack.connect('alice', 'device-two'),
    ]);

    // Assess
    const online = await bob.waitFor<Event<'presence'>>(isEvent('presence', { userId: 'alice' }));
    expect(online).toEqual({
      type: 'presence',
      userId: 'alice',
      status: 'online',
      lastSeen: expect.any(String),
    });
    await streamDrained();
    expect(eventsOf(bob, 'presence', { userId: 'alice' })).toEqual([online]);
    const answer = await bob.request<{ type: string; users: Presence[] }>({
      action: 'getPresence',
      userIds: ['alice'],
    });
    expect(answer.users).toEqual([{ userId: 'alice', status: 'online', lastSeen: expect.any(String) }]);
  });

  it("sends alice's read position to her other device and to bob", async () => {
    // Prepare
    await streamDrained();
    const lastSeq = markers; // every marker is one message

    // Act
    const answer = await aliceOne.request({ action: 'markRead', conversationId, seq: lastSeq - 1 });

    // Assess
    expect(answer.type).toBe('ok');
    const receipt = { type: 'receipt', conversationId, userId: 'alice', readSeq: lastSeq - 1 };
    expect(await aliceTwo.waitFor(isEvent('receipt', { readSeq: lastSeq - 1 }))).toEqual(receipt);
    expect(await bob.waitFor(isEvent('receipt', { readSeq: lastSeq - 1 }))).toEqual(receipt);
    const views = await Promise.all(
      [aliceOne, aliceTwo].map(async (socket) => {
        const list = await socket.request<{ conversations: Conversation[] }>({ action: 'listConversations' });
        const conversation = list.conversations.find((c) => c.conversationId === conversationId);
        return conversation && conversation.lastSeq - conversation.readSeq;
      }),
    );
    expect(views).toEqual([1, 1]);
  });

  it("relays alice's typing to bob and not to her other device", async () => {
    // Act
    const answer = await aliceOne.request({ action: 'typing', conversationId });

    // Assess
    expect(answer.type).toBe('ok');
    expect(await bob.waitFor(isEvent('typing'))).toEqual({ type: 'typing', conversationId, userId: 'alice' });
    // Typing is posted before the answer; a pong on the other device comes after anything posted to it.
    expect((await aliceTwo.request({ action: 'ping' })).type).toBe('pong');
    expect(eventsOf(aliceTwo, 'typing')).toEqual([]);
    expect((await aliceOne.request({ action: 'ping' })).type).toBe('pong');
    expect(eventsOf(aliceOne, 'typing')).toEqual([]);
  });

  it('tells bob once that alice went offline when both devices disconnect', async () => {
    // Act
    await Promise.all([aliceOne.close(), aliceTwo.close()]);

    // Assess
    const offline = await bob.waitFor<Event<'presence'>>(
      isEvent('presence', { userId: 'alice', status: 'offline' }),
    );
    expect(offline.lastSeen).toEqual(expect.any(String));
    const answer = await bob.request<{ users: Presence[] }>({ action: 'getPresence', userIds: ['alice'] });
    expect(answer.users).toEqual([{ userId: 'alice', status: 'offline', lastSeen: offline.lastSeen }]);
    await streamDrained();
    expect(eventsOf(bob, 'presence', { userId: 'alice' }).map((event) => event.status)).toEqual([
      'online',
      'offline',
    ]);
  });
});
