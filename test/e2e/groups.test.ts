import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Message, ServerEvent } from '../../lambdas/shared/protocol';
import { type LocalStack, startLocalStack } from './support/local-stack';
import type { TestSocket } from './support/test-socket';

type MessageEvent = Extract<ServerEvent, { type: 'message' }>;

const messagesOf = (socket: TestSocket, conversationId: string): Message[] =>
  socket.received
    .filter((frame): frame is MessageEvent => (frame as MessageEvent)?.type === 'message')
    .map((event) => event.message)
    .filter((message) => message.conversationId === conversationId);

/** What a client shows: received messages by seq, duplicates dropped. */
const shown = (messages: Message[]): Message[] =>
  [...new Map(messages.map((message) => [message.seq, message])).values()].sort((a, b) => a.seq - b.seq);

describe('groups through the local runtime', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('gives three users one gapless order while membership changes interleave with sends, and cuts off a removed member', async () => {
    // Prepare
    const [alice, bob, carol] = await Promise.all(
      ['alice', 'bob', 'carol'].map((userId) => stack.connect(userId, `${userId}-device`)),
    );
    if (!alice || !bob || !carol) throw new Error('sockets did not open');
    const { conversation } = await alice.request<{ conversation: Conversation }>({
      action: 'createGroup',
      name: 'Trip',
      memberIds: ['bob', 'carol'],
    });
    const { conversationId } = conversation;
    const send = (socket: TestSocket, id: string) =>
      socket.request({ action: 'sendMessage', conversationId, clientMessageId: id, body: id });

    // Act: concurrent sends from all three, with dave added and carol removed in between
    await Promise.all([
      (async () => {
        for (let n = 0; n < 8; n++) await send(alice, `a${n}`);
      })(),
      (async () => {
        for (let n = 0; n < 8; n++) await send(bob, `b${n}`);
      })(),
      (async () => {
        for (let n = 0; n < 4; n++) await send(carol, `c${n}`);
        await bob.request({ action: 'addMembers', conversationId, userIds: ['dave'] });
        await alice.request({ action: 'removeMember', conversationId, userId: 'carol' });
      })(),
    ]);
    const refused = await carol.request({
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'late',
      body: 'x',
    });
    const last = await alice.request<{ seq: number }>({
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'last',
      body: 'done',
    });
    await alice.waitFor((frame) => (frame as MessageEvent).message?.seq === last.seq);
    // The poller hands batches over one at a time: once a later message reached bob, the fan-out of
    // `last` has posted to everyone it was going to; a pong on carol's socket comes after any such post.
    const marker = await alice.request<{ seq: number }>({
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'marker',
      body: '.',
    });
    await bob.waitFor((frame) => (frame as MessageEvent).message?.seq === marker.seq);
    await alice.waitFor((frame) => (frame as MessageEvent).message?.seq === marker.seq);
    await carol.request({ action: 'ping' });

    // Assess: the server's log is gapless and holds every change at its own seq
    const page = await alice.request<{ messages: Message[] }>({
      action: 'sync',
      conversationId,
      afterSeq: 0,
      limit: 200,
    });
    const log = page.messages;
    expect(log.map((message) => message.seq)).toEqual(log.map((_, index) => index + 1));
    expect(log.filter((message) => message.kind === 'text')).toHaveLength(22);
    const removal = log.find((message) => message.kind === 'member_removed');
    expect(log.filter((message) => message.kind !== 'text').map((message) => message.kind)).toEqual([
      'group_created',
      'members_added',
      'member_removed',
    ]);
    // Every member's device shows exactly that log, in that order
    expect(shown(messagesOf(alice, conversationId))).toEqual(log);
    expect(shown(messagesOf(bob, conversationId))).toEqual(log);
    // The removed member is refused, and received nothing after the removal
    expect(refused).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    const carolSaw = shown(messagesOf(carol, conversationId));
    expect(carolSaw.every((message) => message.seq <= (removal?.seq ?? 0))).toBe(true);
    expect(carolSaw).toEqual(log.slice(0, carolSaw.length));
    await Promise.all([alice.close(), bob.close(), carol.close()]);
  });
});
