import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ConversationStore } from '../../../client/sdk/conversation-store';
import { IndexedDbStorage } from '../../../client/sdk/storage/indexeddb';
import type { Message } from '../../../lambdas/shared/protocol';

const C = 'dm:alice:bob';
const message = (seq: number): Message => ({
  conversationId: C,
  seq,
  senderId: 'bob',
  clientMessageId: `m${seq}`,
  body: `body ${seq}`,
  sentAt: '2030-01-01T00:00:00.000Z',
  kind: 'text',
});

let dbCounter = 0;
const freshName = () => `test-${++dbCounter}-${Date.now()}`;

describe('IndexedDbStorage', () => {
  it('returns the newest messages below a seq, ascending, per conversation', async () => {
    // Prepare
    const storage = await IndexedDbStorage.open({ name: freshName() });
    const state = { conversationId: C, syncedSeq: 30, floorSeq: 0, readBy: {} };
    const conversation = {
      conversationId: C,
      kind: 'direct' as const,
      memberIds: ['alice', 'bob'],
      lastSeq: 30,
      readSeq: 0,
    };
    await storage.saveConversation(
      { ...state, conversation },
      Array.from({ length: 30 }, (_, i) => message(i + 1)),
    );
    await storage.saveConversation(
      { ...state, conversationId: 'other', conversation: { ...conversation, conversationId: 'other' } },
      [{ ...message(1), conversationId: 'other' }],
    );

    // Act
    const page = await storage.loadMessages(C, 21, 5);
    const all = await storage.loadMessages(C, 1_000, 1_000);

    // Assess
    expect(page.map((m) => m.seq)).toEqual([16, 17, 18, 19, 20]);
    expect(all).toHaveLength(30);
    expect((await storage.loadConversations()).map((c) => c.conversationId).sort()).toEqual([C, 'other']);
    storage.close();
  });

  it('keeps the outbox across a reopen', async () => {
    // Prepare
    const name = freshName();
    const storage = await IndexedDbStorage.open({ name });
    const entry = {
      clientMessageId: 'c1',
      conversationId: C,
      body: 'hi',
      createdAt: '2030-01-01T00:00:00.000Z',
      order: 1,
      attempts: 0,
      state: 'pending' as const,
    };
    await storage.putOutboxEntry(entry);
    await storage.putOutboxEntry({ ...entry, clientMessageId: 'c2', order: 2 });
    await storage.deleteOutboxEntry('c1');
    storage.close();

    // Act
    const reopened = await IndexedDbStorage.open({ name });

    // Assess
    expect((await reopened.loadOutbox()).map((e) => e.clientMessageId)).toEqual(['c2']);
    reopened.close();
  });

  it('gives a reloaded store the same history', async () => {
    // Prepare
    const name = freshName();
    const store = new ConversationStore(await IndexedDbStorage.open({ name }), 'alice');
    store.upsert({ conversationId: C, kind: 'direct', memberIds: ['alice', 'bob'], lastSeq: 0, readSeq: 0 });
    for (const seq of [1, 3, 2, 4]) store.receive(message(seq));
    store.setRead(C, 'alice', 2);
    await store.flush();

    // Act
    const reloaded = new ConversationStore(await IndexedDbStorage.open({ name }), 'alice');
    await reloaded.load();

    // Assess
    expect(reloaded.messages(C).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(reloaded.view(C)).toMatchObject({ readSeq: 2, unread: 2, syncedSeq: 4 });
  });
});
