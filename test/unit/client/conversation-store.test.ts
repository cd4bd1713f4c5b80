import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConversationStore } from '../../../client/sdk/conversation-store';
import { MemoryStorage } from '../../../client/sdk/storage/memory';
import type { Conversation, Message } from '../../../lambdas/shared/protocol';

const C = 'dm:alice:bob';

const message = (seq: number, senderId = 'bob'): Message => ({
  conversationId: C,
  seq,
  senderId,
  clientMessageId: `m${seq}`,
  body: `message ${seq}`,
  sentAt: new Date(Date.UTC(2030, 0, 1, 0, 0, seq)).toISOString(),
  kind: 'text',
});

const conversation = (lastSeq: number, readSeq = 0): Conversation => ({
  conversationId: C,
  kind: 'direct',
  memberIds: ['alice', 'bob'],
  lastSeq,
  readSeq,
});

const seqs = (store: ConversationStore): number[] => store.messages(C).map((m) => m.seq);

describe('ConversationStore', () => {
  it('takes the peer read position a conversation object reports, never moving it back', () => {
    // Prepare
    const store = new ConversationStore(new MemoryStorage(), 'alice');
    store.upsert({ ...conversation(9), readSeqs: { bob: 4 } });

    // Act
    store.setRead(C, 'bob', 7);
    const { view } = store.upsert({ ...conversation(9), readSeqs: { bob: 5, alice: 9 } });

    // Assess: a receipt seen later (7) beats an older snapshot (5); one's own position is not a peer's
    expect(view.readBy).toEqual({ bob: 7 });
  });

  it('drops a message it already holds', () => {
    // Prepare
    const store = new ConversationStore(new MemoryStorage(), 'alice');
    store.upsert(conversation(0));

    // Act
    const first = store.receive(message(1));
    const again = store.receive(message(1));

    // Assess
    expect(first.applied.map((m) => m.seq)).toEqual([1]);
    expect(again.applied).toEqual([]);
    expect(seqs(store)).toEqual([1]);
  });

  it('holds back a message that arrives ahead of a gap, and releases it in order', () => {
    // Prepare
    const store = new ConversationStore(new MemoryStorage(), 'alice');
    store.upsert(conversation(0));
    store.receive(message(1));

    // Act
    const ahead = store.receive(message(3));
    const ahead2 = store.receive(message(4));
    const filled = store.receive(message(2));

    // Assess
    expect(ahead).toEqual({ applied: [], gap: true });
    expect(ahead2.gap).toBe(true);
    expect(seqs(store)).toEqual([1, 2, 3, 4]);
    expect(filled.applied.map((m) => m.seq)).toEqual([2, 3, 4]);
    expect(filled.gap).toBe(false);
  });

  it('takes a sync page as the whole truth for its range and releases held messages', () => {
    // Prepare
    const store = new ConversationStore(new MemoryStorage(), 'alice');
    store.upsert(conversation(0));
    store.receive(message(5));

    // Act
    const applied = store.applySync(C, 0, { messages: [1, 2, 3, 4].map((s) => message(s)), lastSeq: 5 });

    // Assess
    expect(applied.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(store.isBehind(C)).toBe(false);
  });

  it('shows any arrival order with duplicates as exactly 1..N once the gaps are synced', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }).chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.shuffledSubarray(
              Array.from({ length: 2 * n }, (_, i) => (i % n) + 1),
              { minLength: 0 },
            ),
          ),
        ),
        ([n, arrivals]) => {
          const store = new ConversationStore(new MemoryStorage(), 'alice');
          store.upsert(conversation(0));
          const shown: number[] = [];
          for (const seq of arrivals) shown.push(...store.receive(message(seq)).applied.map((m) => m.seq));
          const all = Array.from({ length: n }, (_, i) => message(i + 1));
          // A sync from the current head, as the client does to fill a gap.
          const from = store.syncedSeq(C);
          shown.push(
            ...store
              .applySync(C, from, { messages: all.filter((m) => m.seq > from), lastSeq: n })
              .map((m) => m.seq),
          );
          const expected = Array.from({ length: n }, (_, i) => i + 1);
          expect(shown).toEqual(expected);
          expect(seqs(store)).toEqual(expected);
        },
      ),
    );
  });

  it('starts a conversation it never held at its newest messages', () => {
    // Prepare
    const store = new ConversationStore(new MemoryStorage(), 'alice', { initialWindow: 10 });
    store.upsert(conversation(500));

    // Act
    store.prepareCatchUp(C);

    // Assess
    expect(store.syncedSeq(C)).toBe(490);
    expect(store.hasOlder(C)).toBe(true);
    expect(store.historyCursor(C)).toBe(491);
  });

  it('prepends history and reaches the start', () => {
    // Prepare
    const store = new ConversationStore(new MemoryStorage(), 'alice', { initialWindow: 3 });
    store.upsert(conversation(8));
    store.prepareCatchUp(C);
    store.applySync(C, 5, { messages: [6, 7, 8].map((s) => message(s)), lastSeq: 8 });

    // Act
    const older = store.applyHistory(
      C,
      6,
      3,
      [3, 4, 5].map((s) => message(s)),
    );
    const oldest = store.applyHistory(
      C,
      3,
      3,
      [1, 2].map((s) => message(s)),
    );

    // Assess
    expect(older.map((m) => m.seq)).toEqual([3, 4, 5]);
    expect(oldest.map((m) => m.seq)).toEqual([1, 2]);
    expect(seqs(store)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(store.hasOlder(C)).toBe(false);
  });

  it('counts unread as lastSeq - readSeq minus own messages above the read mark', () => {
    // Prepare
    const store = new ConversationStore(new MemoryStorage(), 'alice');
    store.upsert(conversation(0));
    for (const [seq, sender] of [
      [1, 'bob'],
      [2, 'alice'],
      [3, 'bob'],
      [4, 'alice'],
      [5, 'bob'],
    ] as const) {
      store.receive(message(seq, sender));
    }

    // Act
    const before = store.view(C)?.unread;
    store.setRead(C, 'alice', 3);
    const after = store.view(C)?.unread;
    store.setRead(C, 'alice', 2);

    // Assess
    expect(before).toBe(3);
    expect(after).toBe(1);
    expect(store.view(C)?.readSeq).toBe(3);
  });

  it('records other members’ read positions from receipts, never moving back', () => {
    // Prepare
    const store = new ConversationStore(new MemoryStorage(), 'alice');
    store.upsert(conversation(4));

    // Act
    store.setRead(C, 'bob', 4);
    const moved = store.setRead(C, 'bob', 2);

    // Assess
    expect(moved).toBe(false);
    expect(store.view(C)?.readBy).toEqual({ bob: 4 });
  });

  it('keeps a read mark made offline ahead of the server’s and reports it', () => {
    // Prepare
    const store = new ConversationStore(new MemoryStorage(), 'alice');
    store.upsert(conversation(5, 1));
    store.setRead(C, 'alice', 4);

    // Act
    const result = store.upsert(conversation(6, 1));

    // Assess
    expect(result.readAhead).toBe(true);
    expect(result.view.readSeq).toBe(4);
    expect(result.behind).toBe(true);
  });

  it('reloads history and read state from storage', async () => {
    // Prepare
    const storage = new MemoryStorage();
    const store = new ConversationStore(storage, 'alice');
    store.upsert(conversation(0));
    for (let seq = 1; seq <= 5; seq++) store.receive(message(seq));
    store.setRead(C, 'bob', 2);
    await store.flush();

    // Act
    const reloaded = new ConversationStore(storage, 'alice', { viewSize: 3 });
    await reloaded.load();

    // Assess
    expect(seqs(reloaded)).toEqual([3, 4, 5]);
    expect(reloaded.view(C)?.readBy).toEqual({ bob: 2 });
    expect(await reloaded.loadOlderFromStorage(C, 10)).toHaveLength(2);
    expect(seqs(reloaded)).toEqual([1, 2, 3, 4, 5]);
    expect(reloaded.hasOlder(C)).toBe(false);
  });
});
