import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../lambdas/shared/protocol';
import { type LocalStack, startLocalStack } from './support/local-stack';
import type { TestSocket } from './support/test-socket';

type MessageEvent = { type: 'message'; message: Message };

const messageWith =
  (seq: number, conversationId: string) =>
  (frame: unknown): boolean => {
    const event = frame as MessageEvent;
    return (
      event?.type === 'message' &&
      event.message.seq === seq &&
      event.message.conversationId === conversationId
    );
  };

describe('two users chatting through the whole local stack', () => {
  let stack: LocalStack;
  let aliceLaptop: TestSocket;
  let alicePhone: TestSocket;
  let bobPhone: TestSocket;

  beforeAll(async () => {
    stack = await startLocalStack();
    [aliceLaptop, alicePhone, bobPhone] = await Promise.all([
      stack.connect('alice', 'laptop'),
      stack.connect('alice', 'phone'),
      stack.connect('bob', 'phone'),
    ]);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('delivers each message to the other user and to every device of the sender, in seq order', async () => {
    // Prepare
    const opened = await aliceLaptop.request<{ type: string; conversation: Conversation }>({
      action: 'openDirect',
      userId: 'bob',
    });
    expect(opened.type).toBe('conversation');
    const { conversationId } = opened.conversation;

    // Act
    const ack = await aliceLaptop.request<{ type: string; seq: number }>({
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'c1',
      body: 'hi bob',
    });
    const reply = await bobPhone.request<{ type: string; seq: number }>({
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'c2',
      body: 'hi alice',
    });

    // Assess
    expect(ack).toMatchObject({ type: 'ack', seq: 1 });
    expect(reply).toMatchObject({ type: 'ack', seq: 2 });
    for (const socket of [aliceLaptop, alicePhone, bobPhone]) {
      const first = await socket.waitFor<MessageEvent>(messageWith(1, conversationId));
      const second = await socket.waitFor<MessageEvent>(messageWith(2, conversationId));
      expect(first.message).toMatchObject({ senderId: 'alice', body: 'hi bob', clientMessageId: 'c1' });
      expect(second.message).toMatchObject({ senderId: 'bob', body: 'hi alice', clientMessageId: 'c2' });
    }
  });

  it('serves what was delivered in real time through sync as well', async () => {
    // Prepare
    const opened = await bobPhone.request<{ conversation: Conversation }>({
      action: 'openDirect',
      userId: 'alice',
    });

    // Act
    const synced = await alicePhone.request<{ type: string; messages: Message[] }>({
      action: 'sync',
      conversationId: opened.conversation.conversationId,
      afterSeq: 0,
    });

    // Assess
    expect(synced.type).toBe('messages');
    expect(synced.messages.map((message) => [message.seq, message.body])).toEqual([
      [1, 'hi bob'],
      [2, 'hi alice'],
    ]);
  });

  it('routes a frame with an unknown action to $default, which answers it with an error frame', async () => {
    // Prepare / Act
    const answer = await aliceLaptop.request({ action: 'noSuchAction' });

    // Assess
    expect(answer).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
  });
});
