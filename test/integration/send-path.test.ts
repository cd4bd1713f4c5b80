import { beforeEach, describe, expect, it } from 'vitest';
import { directConversationId } from '../../lambdas/domain/conversation-id';
import type { Answer, ErrorFrame, Message } from '../../lambdas/shared/protocol';
import { Entity } from '../../lambdas/shared/table-schema';
import { createTestApp, type TestApp } from '../support/app';
import { injectFaults, injectTransactionConflicts, recordCommands } from '../support/command-recorder';

type Ack = Extract<Answer, { type: 'ack' }>;

const storedMessages = async (app: TestApp, conversationId: string): Promise<Message[]> =>
  (await app.scanAll())
    .filter((item) => item.entity === Entity.message && item.conversationId === conversationId)
    .map((item) => item as unknown as Message)
    .sort((a, b) => a.seq - b.seq);

describe('send path', () => {
  let app: TestApp;
  const conversationId = directConversationId('alice', 'bob');

  beforeEach(async () => {
    // The stress test sends 500 messages per user in seconds: far past a person's send quota
    app = await createTestApp({ sendQuota: null });
    const opened = await app.request(`alice`, { action: 'openDirect', userId: 'bob' });
    expect(opened.type).toBe('conversation');
  });

  it('gives 20 concurrent senders x 50 messages the seqs 1..1000 exactly, each clientMessageId once', async () => {
    // Prepare: 20 senders (alternating between the two members' devices), 50 messages each
    const senders = Array.from({ length: 20 }, (_, index) => ({
      userId: index % 2 ? 'bob' : 'alice',
      index,
    }));

    const { request } = app;
    let busyAnswers = 0;

    // Act: like the SDK's outbox, a sender resends with the same clientMessageId on CONFLICT
    const acks = await Promise.all(
      senders.map(async ({ userId, index }) => {
        const mine: Ack[] = [];
        for (let n = 0; n < 50; n++) {
          const frame = {
            action: 'sendMessage',
            conversationId,
            clientMessageId: `s${index}-m${n}`,
            body: `hello ${n}`,
          };
          let answer = await request<Ack | ErrorFrame>(userId, frame);
          for (
            let resend = 0;
            answer.type === 'error' && answer.code === 'CONFLICT' && resend < 10;
            resend++
          ) {
            busyAnswers++;
            answer = await request<Ack | ErrorFrame>(userId, frame);
          }
          if (answer.type !== 'ack') throw new Error(`send failed: ${JSON.stringify(answer)}`);
          mine.push(answer);
        }
        return mine;
      }),
    );

    // Assess
    const ackedSeqs = acks.flat().map((ack) => ack.seq);
    expect([...ackedSeqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    const stored = await storedMessages(app, conversationId);
    expect(stored.map((message) => message.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(new Set(stored.map((message) => message.clientMessageId)).size).toBe(1000);
    for (const senderAcks of acks) {
      const seqs = senderAcks.map((ack) => ack.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    const head = (await app.scanAll()).find((item) => item.entity === Entity.head);
    expect(head?.lastSeq).toBe(1000);
    // Busy answers are legitimate (the 10 s retry budget ran out) but must stay the exception
    expect(busyAnswers).toBeLessThan(250);
  }, 300_000);

  it('answers a resend of the same clientMessageId with the original seq and stores one message', async () => {
    // Prepare
    const frame = { action: 'sendMessage', conversationId, clientMessageId: 'same-id', body: 'once' };
    const first = await app.request<Ack>('alice', frame);

    // Act
    const second = await app.request<Ack>('alice', { ...frame, body: 'changed on resend' });

    // Assess
    expect(first).toMatchObject({ type: 'ack', seq: 1 });
    expect(second).toMatchObject({ type: 'ack', seq: 1, sentAt: first.sentAt });
    expect(await storedMessages(app, conversationId)).toHaveLength(1);
  });

  it('stores one message when the same clientMessageId is sent twice concurrently', async () => {
    // Prepare
    const frame = { action: 'sendMessage', conversationId, clientMessageId: 'raced', body: 'race' };

    // Act
    const answers = await Promise.all(Array.from({ length: 6 }, () => app.request<Ack>('alice', frame)));

    // Assess
    expect(answers.map((answer) => answer.type)).toEqual(Array(6).fill('ack'));
    expect(new Set(answers.map((answer) => answer.seq))).toEqual(new Set([1]));
    expect(await storedMessages(app, conversationId)).toHaveLength(1);
  });

  it('lets two senders reuse one clientMessageId: dedupe is per sender', async () => {
    // Act
    const fromAlice = await app.request<Ack>('alice', {
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'x',
      body: 'a',
    });
    const fromBob = await app.request<Ack>('bob', {
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'x',
      body: 'b',
    });

    // Assess
    expect([fromAlice.seq, fromBob.seq]).toEqual([1, 2]);
  });

  it('refuses a non-member with FORBIDDEN and stores nothing', async () => {
    // Prepare
    const before = await app.scanAll();

    // Act
    const answer = await app.request<ErrorFrame>('mallory', {
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'intrusion',
      body: 'let me in',
    });

    // Assess
    expect(answer).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(await app.scanAll()).toEqual(before);
  });

  it('ignores a senderId put into the frame: the sender is the authorized connection', async () => {
    // Act
    const ack = await app.request<Ack>('alice', {
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'spoof',
      body: 'who am I',
      senderId: 'bob',
    });

    // Assess
    expect(ack.type).toBe('ack');
    const [stored] = await storedMessages(app, conversationId);
    expect(stored?.senderId).toBe('alice');
  });

  it('answers NOT_FOUND for a conversation that does not exist, and stores nothing', async () => {
    // Prepare
    const before = await app.scanAll();

    // Act
    const answer = await app.request<ErrorFrame>('alice', {
      action: 'sendMessage',
      conversationId: directConversationId('alice', 'carol'),
      clientMessageId: 'c1',
      body: 'anyone?',
    });

    // Assess
    expect(answer).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
    expect(await app.scanAll()).toEqual(before);
  });

  it('makes exactly two sequential DynamoDB calls for an uncontended send, with consistent reads', async () => {
    // Prepare
    const recorder = recordCommands(app.client);

    // Act
    const ack = await app.request<Ack>('alice', {
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'one',
      body: 'hi',
    });

    // Assess
    expect(ack.seq).toBe(1);
    expect(recorder.commands.map((command) => command.name)).toEqual([
      'BatchGetItemCommand',
      'TransactWriteItemsCommand',
    ]);
    const [read] = recorder.commands;
    const requestItems = read?.input.RequestItems as Record<string, { ConsistentRead?: boolean }>;
    expect(Object.values(requestItems).every((table) => table.ConsistentRead === true)).toBe(true);
  });

  it('retries through transaction conflicts that DynamoDB Local never raises', async () => {
    // Prepare: the first three transactions are cancelled by a conflicting transaction
    const conflictsLeft = injectTransactionConflicts(app.client, 3, 0, 4);

    // Act
    const ack = await app.request<Ack>('alice', {
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'c',
      body: 'x',
    });

    // Assess
    expect(conflictsLeft()).toBe(0);
    expect(ack).toMatchObject({ type: 'ack', seq: 1 });
    expect(await storedMessages(app, conversationId)).toHaveLength(1);
  });

  it('answers a resend after a lost acknowledgement with the seq that was committed', async () => {
    // Prepare: the transaction commits, then its answer is lost on the way back
    let lose = true;
    injectFaults(app.client, {
      after: (name) => {
        if (name !== 'TransactWriteItemsCommand' || !lose) return undefined;
        lose = false;
        return Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} });
      },
    });
    const frame = {
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'lost-ack',
      body: 'did it land?',
    };

    // Act
    const first = await app.request<ErrorFrame>('alice', frame);
    const resend = await app.request<Ack>('alice', frame);

    // Assess
    expect(first).toMatchObject({ type: 'error', code: 'INTERNAL', message: 'Internal error' });
    expect(resend).toMatchObject({ type: 'ack', seq: 1 });
    expect(await storedMessages(app, conversationId)).toHaveLength(1);
  });
});
