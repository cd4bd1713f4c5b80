import { beforeAll, describe, expect, it } from 'vitest';
import { directConversationId } from '../../lambdas/domain/conversation-id';
import type { Answer, ErrorFrame } from '../../lambdas/shared/protocol';
import { createTestApp, type TestApp } from '../support/app';
import { recordCommands } from '../support/command-recorder';

type Messages = Extract<Answer, { type: 'messages' }>;
type Conversations = Extract<Answer, { type: 'conversations' }>;
type ConversationAnswer = Extract<Answer, { type: 'conversation' }>;

const seqs = (answer: Messages) => answer.messages.map((message) => message.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('read path: sync, history, conversations', () => {
  let app: TestApp;
  const conversationId = directConversationId('alice', 'bob');

  beforeAll(async () => {
    app = await createTestApp();
    await app.request('alice', { action: 'openDirect', userId: 'bob' });
    for (let n = 1; n <= 25; n++) {
      const sender = n % 3 === 0 ? 'bob' : 'alice';
      await app.request(sender, {
        action: 'sendMessage',
        conversationId,
        clientMessageId: `m${n}`,
        body: `message ${n}`,
      });
    }
  });

  it('syncs after a seq in ascending pages with hasMore', async () => {
    // Act
    const first = await app.request<Messages>('bob', {
      action: 'sync',
      conversationId,
      afterSeq: 0,
      limit: 10,
    });
    const second = await app.request<Messages>('bob', {
      action: 'sync',
      conversationId,
      afterSeq: 10,
      limit: 10,
    });
    const last = await app.request<Messages>('bob', {
      action: 'sync',
      conversationId,
      afterSeq: 20,
      limit: 10,
    });
    const beyond = await app.request<Messages>('bob', { action: 'sync', conversationId, afterSeq: 25 });

    // Assess
    expect(first).toMatchObject({ type: 'messages', conversationId, lastSeq: 25, hasMore: true });
    expect(seqs(first)).toEqual(range(1, 10));
    expect(seqs(second)).toEqual(range(11, 20));
    expect(second.hasMore).toBe(true);
    expect(seqs(last)).toEqual(range(21, 25));
    expect(last.hasMore).toBe(false);
    expect(beyond).toMatchObject({ messages: [], lastSeq: 25, hasMore: false });
    expect(first.messages[2]).toMatchObject({
      seq: 3,
      senderId: 'bob',
      body: 'message 3',
      kind: 'text',
      clientMessageId: 'm3',
    });
  });

  it('defaults the sync limit to 100 and refuses limits outside 1..200', async () => {
    // Act
    const all = await app.request<Messages>('alice', { action: 'sync', conversationId, afterSeq: 0 });
    const zero = await app.request<ErrorFrame>('alice', {
      action: 'sync',
      conversationId,
      afterSeq: 0,
      limit: 0,
    });
    const huge = await app.request<ErrorFrame>('alice', {
      action: 'sync',
      conversationId,
      afterSeq: 0,
      limit: 201,
    });
    const negative = await app.request<ErrorFrame>('alice', { action: 'sync', conversationId, afterSeq: -1 });

    // Assess
    expect(seqs(all)).toEqual(range(1, 25));
    expect([zero.code, huge.code, negative.code]).toEqual(['BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST']);
  });

  it('pages history backwards: the newest messages below beforeSeq, ascending', async () => {
    // Act
    const latest = await app.request<Messages>('alice', { action: 'history', conversationId, limit: 10 });
    const older = await app.request<Messages>('alice', {
      action: 'history',
      conversationId,
      beforeSeq: 16,
      limit: 10,
    });
    const oldest = await app.request<Messages>('alice', {
      action: 'history',
      conversationId,
      beforeSeq: 6,
      limit: 10,
    });

    // Assess
    expect(seqs(latest)).toEqual(range(16, 25));
    expect(latest.hasMore).toBe(true);
    expect(seqs(older)).toEqual(range(6, 15));
    expect(older.hasMore).toBe(true);
    expect(seqs(oldest)).toEqual(range(1, 5));
    expect(oldest.hasMore).toBe(false);
  });

  it('refuses sync and history to a non-member with FORBIDDEN', async () => {
    // Act
    const sync = await app.request<ErrorFrame>('eve', { action: 'sync', conversationId, afterSeq: 0 });
    const history = await app.request<ErrorFrame>('eve', { action: 'history', conversationId, limit: 5 });

    // Assess
    expect(sync).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(history).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
  });

  it('reads strongly consistently on the sync and history paths', async () => {
    // Prepare
    const recorder = recordCommands(app.client);

    // Act
    await app.request('alice', { action: 'sync', conversationId, afterSeq: 3, limit: 5 });
    await app.request('alice', { action: 'history', conversationId, limit: 5 });
    await app.request('alice', { action: 'listConversations' });

    // Assess
    expect(recorder.commands.length).toBeGreaterThanOrEqual(5);
    for (const command of recorder.commands) {
      if (command.name === 'QueryCommand') expect(command.input.ConsistentRead).toBe(true);
      else if (command.name === 'BatchGetItemCommand') {
        const tables = Object.values(
          command.input.RequestItems as Record<string, { ConsistentRead?: boolean }>,
        );
        expect(tables.every((table) => table.ConsistentRead === true)).toBe(true);
      } else throw new Error(`unexpected read ${command.name}`);
    }
  });

  it('opens the same direct conversation from either side, and lists it for both users', async () => {
    // Act
    const fromBob = await app.request<ConversationAnswer>('bob', { action: 'openDirect', userId: 'alice' });
    const aliceList = await app.request<Conversations>('alice', { action: 'listConversations' });
    const carolList = await app.request<Conversations>('carol', { action: 'listConversations' });

    // Assess
    expect(fromBob.conversation).toMatchObject({
      conversationId,
      kind: 'direct',
      memberIds: ['alice', 'bob'],
      lastSeq: 25,
      readSeq: 0,
    });
    expect(aliceList.conversations.map((conversation) => conversation.conversationId)).toEqual([
      conversationId,
    ]);
    expect(carolList.conversations).toEqual([]);
  });

  it("carries the other member's read position on a direct conversation", async () => {
    // Prepare
    await app.request('bob', { action: 'markRead', conversationId, seq: 20 });

    // Act
    const list = await app.request<Conversations>('alice', { action: 'listConversations' });
    const opened = await app.request<ConversationAnswer>('alice', { action: 'openDirect', userId: 'bob' });

    // Assess
    expect(list.conversations[0]?.readSeqs).toEqual({ bob: 20 });
    expect(opened.conversation.readSeqs).toEqual({ bob: 20 });
  });

  it('refuses a direct conversation with oneself', async () => {
    // Act
    const answer = await app.request<ErrorFrame>('alice', { action: 'openDirect', userId: 'alice' });

    // Assess
    expect(answer).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
  });
});
