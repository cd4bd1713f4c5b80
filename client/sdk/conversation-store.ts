import type { Conversation, Message } from '../../lambdas/shared/protocol';
import type { ClientStorage, StoredConversation } from './storage/client-storage';

/** A conversation as the SDK shows it: the server's object plus what this device knows. */
export interface ConversationView extends Conversation {
  /** Every visible message in (floorSeq, syncedSeq] is held locally, in order. */
  readonly syncedSeq: number;
  /** True while older messages can still be fetched with loadOlder. */
  readonly hasOlder: boolean;
  /** See `unreadCount`. */
  readonly unread: number;
  readonly lastMessage: Message | undefined;
  /** Other members' read positions, from receipts seen by this device. */
  readonly readBy: Readonly<Record<string, number>>;
}

interface State {
  conversation: Conversation;
  /** False for a conversation first seen through a message event, before its metadata arrived. */
  known: boolean;
  syncedSeq: number;
  /** Lowest seq boundary in storage: (floorSeq, syncedSeq] is stored. */
  floorSeq: number;
  /** Lowest seq boundary in memory: (viewFloor, syncedSeq] is in `messages`. */
  viewFloor: number;
  messages: Message[];
  /** Messages that arrived ahead of a gap; shown once the gap is filled. */
  held: Map<number, Message>;
  readBy: Record<string, number>;
}

export interface ConversationStoreOptions {
  /** A conversation first met with more messages than this starts at its newest this many. Default 100. */
  readonly initialWindow?: number;
  /** Messages per conversation loaded from storage at start. Default 200. */
  readonly viewSize?: number;
  /** Storage write failures end up here. */
  readonly onStorageError?: (error: unknown) => void;
}

export interface Upserted {
  readonly view: ConversationView;
  /** The server has messages this device lacks. */
  readonly behind: boolean;
  /** This device has read further than the server knows (a markRead sent while offline). */
  readonly readAhead: boolean;
}

export interface Received {
  /** Messages that became visible, ascending: the new one and any held ones it unblocked. */
  readonly applied: Message[];
  /** Something is missing below a held message: fill it with `sync`. */
  readonly gap: boolean;
}

const guessKind = (conversationId: string): Conversation['kind'] =>
  conversationId.startsWith('dm:') ? 'direct' : 'group';

/**
 * Per-conversation history keyed by `seq`. Real-time events are at-least-once and may come out of
 * order, so a message is shown only when its seq is the next one; later ones wait in `held` until
 * `sync` fills the gap, and anything at or below `syncedSeq` is a duplicate. A `sync` answer is
 * authoritative for the range it covers (some seqs may be invisible to this member).
 *
 * Unread count rule: lastSeq - readSeq, minus this user's own messages above readSeq that are held
 * locally. Membership messages count as unread; messages not held locally count too.
 */
export class ConversationStore {
  private readonly states = new Map<string, State>();
  private readonly initialWindow: number;
  private readonly viewSize: number;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: ClientStorage,
    private readonly selfId: string,
    private readonly options: ConversationStoreOptions = {},
  ) {
    this.initialWindow = options.initialWindow ?? 100;
    this.viewSize = options.viewSize ?? 200;
  }

  async load(): Promise<void> {
    for (const stored of await this.storage.loadConversations()) {
      const messages = await this.storage.loadMessages(
        stored.conversationId,
        stored.syncedSeq + 1,
        this.viewSize,
      );
      const first = messages[0];
      const viewFloor = messages.length < this.viewSize || !first ? stored.floorSeq : first.seq - 1;
      this.states.set(stored.conversationId, {
        conversation: stored.conversation,
        known: true,
        syncedSeq: stored.syncedSeq,
        floorSeq: stored.floorSeq,
        viewFloor,
        messages: messages.filter((m) => m.seq > stored.floorSeq),
        held: new Map(),
        readBy: { ...stored.readBy },
      });
    }
  }

  /** Resolves when every write issued so far has been applied. */
  flush(): Promise<void> {
    return this.writes;
  }

  ids(): string[] {
    return [...this.states.keys()];
  }

  has(conversationId: string): boolean {
    return this.states.has(conversationId);
  }

  isKnown(conversationId: string): boolean {
    return this.states.get(conversationId)?.known ?? false;
  }

  view(conversationId: string): ConversationView | undefined {
    const state = this.states.get(conversationId);
    return state && this.toView(state);
  }

  /** Conversations, most recent activity first. */
  list(): ConversationView[] {
    const views = [...this.states.values()].filter((s) => s.known).map((s) => this.toView(s));
    const activity = (v: ConversationView): string => v.lastMessage?.sentAt ?? v.lastActivityAt ?? '';
    return views.sort((a, b) => activity(b).localeCompare(activity(a)));
  }

  /** The messages held in memory, ascending by seq, without gaps. */
  messages(conversationId: string): readonly Message[] {
    return this.states.get(conversationId)?.messages ?? [];
  }

  syncedSeq(conversationId: string): number {
    return this.states.get(conversationId)?.syncedSeq ?? 0;
  }

  /** Is there a known message this device has not shown yet? */
  isBehind(conversationId: string): boolean {
    const state = this.states.get(conversationId);
    return !!state && (state.held.size > 0 || state.conversation.lastSeq > state.syncedSeq);
  }

  /** Takes the server's view of a conversation (listConversations, openDirect, a `conversation` event). */
  upsert(conversation: Conversation): Upserted {
    let state = this.states.get(conversation.conversationId);
    const wasKnown = state?.known ?? false;
    if (!state) {
      state = this.create(conversation);
    } else {
      const localRead = state.conversation.readSeq;
      state.conversation = {
        ...conversation,
        lastSeq: Math.max(conversation.lastSeq, state.conversation.lastSeq, state.syncedSeq),
        readSeq: Math.max(conversation.readSeq, localRead),
      };
      state.known = true;
    }
    state.readBy = mergeReadPositions(state.readBy, conversation.readSeqs, this.selfId);
    // A conversation first met through events stored nothing until now: store what it holds.
    this.persist(state, wasKnown ? [] : state.messages);
    return {
      view: this.toView(state),
      behind: state.conversation.lastSeq > state.syncedSeq || state.held.size > 0,
      readAhead: state.conversation.readSeq > conversation.readSeq,
    };
  }

  /** A message from an event or an ack: applied if next, dropped if old, held if ahead of a gap. */
  receive(message: Message): Received {
    let state = this.states.get(message.conversationId);
    if (!state) {
      state = this.create({
        conversationId: message.conversationId,
        kind: guessKind(message.conversationId),
        memberIds: [],
        lastSeq: message.seq,
        readSeq: 0,
      });
      state.known = false;
    }
    if (message.seq > state.conversation.lastSeq) {
      state.conversation = { ...state.conversation, lastSeq: message.seq };
    }
    if (message.seq <= state.syncedSeq) return { applied: [], gap: false };
    if (message.seq > state.syncedSeq + 1) {
      state.held.set(message.seq, message);
      return { applied: [], gap: true };
    }
    const applied = [message];
    this.append(state, message);
    applied.push(...this.release(state));
    this.persist(state, applied);
    return { applied, gap: state.held.size > 0 };
  }

  /**
   * Before the first sync of a conversation this device never held: start at its newest
   * `initialWindow` messages rather than at seq 1.
   */
  prepareCatchUp(conversationId: string): void {
    const state = this.states.get(conversationId);
    if (!state || state.syncedSeq > 0 || state.messages.length > 0) return;
    const newest = Math.max(state.conversation.lastSeq, ...state.held.keys());
    const start = newest - this.initialWindow;
    if (start <= 0) return;
    state.syncedSeq = state.floorSeq = state.viewFloor = start;
    for (const seq of state.held.keys()) if (seq <= start) state.held.delete(seq);
  }

  /** Applies one `sync` page that answered `afterSeq`; returns the messages that became visible. */
  applySync(
    conversationId: string,
    afterSeq: number,
    page: { messages: readonly Message[]; lastSeq: number; hasMore?: boolean },
  ): Message[] {
    const state = this.states.get(conversationId);
    if (!state) return [];
    if (page.hasMore === false) {
      // The last page: its lastSeq is the newest seq this member may see (a removed member's stops at
      // the removal), so the conversation is not "behind" a head it can never reach.
      state.conversation = { ...state.conversation, lastSeq: Math.max(page.lastSeq, state.syncedSeq) };
    } else if (page.lastSeq > state.conversation.lastSeq) {
      state.conversation = { ...state.conversation, lastSeq: page.lastSeq };
    }
    if (afterSeq > state.syncedSeq) {
      // Not contiguous with what is held (cannot happen when afterSeq was syncedSeq): hold them.
      for (const m of page.messages) if (m.seq > state.syncedSeq) state.held.set(m.seq, m);
      return [];
    }
    const applied: Message[] = [];
    for (const message of page.messages) {
      if (message.seq <= state.syncedSeq) continue;
      this.append(state, message);
      applied.push(message);
    }
    for (const seq of state.held.keys()) if (seq <= state.syncedSeq) state.held.delete(seq);
    applied.push(...this.release(state));
    if (state.syncedSeq > state.conversation.lastSeq) {
      state.conversation = { ...state.conversation, lastSeq: state.syncedSeq };
    }
    this.persist(state, applied);
    return applied;
  }

  /** Where the next `history` request starts, or undefined when the storage has older messages. */
  historyCursor(conversationId: string): number | undefined {
    const state = this.states.get(conversationId);
    if (!state || state.viewFloor > state.floorSeq || state.floorSeq === 0) return undefined;
    return state.floorSeq + 1;
  }

  hasOlder(conversationId: string): boolean {
    const state = this.states.get(conversationId);
    return !!state && state.viewFloor > 0;
  }

  /** Moves up to `limit` older messages from storage into memory; returns them. */
  async loadOlderFromStorage(conversationId: string, limit: number): Promise<Message[]> {
    const state = this.states.get(conversationId);
    if (!state || state.viewFloor <= state.floorSeq) return [];
    await this.writes;
    const older = (await this.storage.loadMessages(conversationId, state.viewFloor + 1, limit)).filter(
      (m) => m.seq > state.floorSeq && m.seq <= state.viewFloor,
    );
    const first = older[0];
    state.viewFloor = older.length < limit || !first ? state.floorSeq : first.seq - 1;
    state.messages = [...older, ...state.messages];
    return older;
  }

  /** Applies a `history` answer for `beforeSeq` = floorSeq + 1. */
  applyHistory(
    conversationId: string,
    beforeSeq: number,
    limit: number,
    page: readonly Message[],
  ): Message[] {
    const state = this.states.get(conversationId);
    if (!state || beforeSeq !== state.floorSeq + 1 || state.viewFloor !== state.floorSeq) return [];
    const older = page.filter((m) => m.seq < beforeSeq).sort((a, b) => a.seq - b.seq);
    const first = older[0];
    const floor = older.length < limit || !first ? 0 : first.seq - 1;
    state.floorSeq = state.viewFloor = floor;
    state.messages = [...older, ...state.messages];
    this.persist(state, older);
    return older;
  }

  /** A read position moved (own markRead, or a receipt). Returns whether anything changed. */
  setRead(conversationId: string, userId: string, readSeq: number): boolean {
    const state = this.states.get(conversationId);
    if (!state) return false;
    if (userId === this.selfId) {
      if (readSeq <= state.conversation.readSeq) return false;
      state.conversation = { ...state.conversation, readSeq };
    } else {
      if (readSeq <= (state.readBy[userId] ?? 0)) return false;
      state.readBy = { ...state.readBy, [userId]: readSeq };
    }
    this.persist(state, []);
    return true;
  }

  private create(conversation: Conversation): State {
    const state: State = {
      conversation,
      known: true,
      syncedSeq: 0,
      floorSeq: 0,
      viewFloor: 0,
      messages: [],
      held: new Map(),
      readBy: {},
    };
    this.states.set(conversation.conversationId, state);
    return state;
  }

  private append(state: State, message: Message): void {
    state.messages.push(message);
    state.syncedSeq = message.seq;
  }

  private release(state: State): Message[] {
    const released: Message[] = [];
    for (let next = state.held.get(state.syncedSeq + 1); next; next = state.held.get(state.syncedSeq + 1)) {
      state.held.delete(next.seq);
      this.append(state, next);
      released.push(next);
    }
    return released;
  }

  private toView(state: State): ConversationView {
    const { conversation } = state;
    const lastSeq = Math.max(conversation.lastSeq, state.syncedSeq);
    let own = 0;
    for (let i = state.messages.length - 1; i >= 0; i--) {
      const m = state.messages[i];
      if (!m || m.seq <= conversation.readSeq) break;
      if (m.senderId === this.selfId) own += 1;
    }
    return {
      ...conversation,
      lastSeq,
      syncedSeq: state.syncedSeq,
      hasOlder: state.viewFloor > 0,
      unread: Math.max(0, lastSeq - conversation.readSeq - own),
      lastMessage: state.messages.at(-1),
      readBy: state.readBy,
    };
  }

  private persist(state: State, messages: readonly Message[]): void {
    if (!state.known) return;
    const snapshot: StoredConversation = {
      conversationId: state.conversation.conversationId,
      conversation: state.conversation,
      syncedSeq: state.syncedSeq,
      floorSeq: state.floorSeq,
      readBy: state.readBy,
    };
    this.writes = this.writes
      .then(() => this.storage.saveConversation(snapshot, messages))
      .catch((error: unknown) => this.options.onStorageError?.(error));
  }
}

/** Other members' read positions only move forward: keep the higher of what is known and what came. */
const mergeReadPositions = (
  known: Record<string, number>,
  reported: Readonly<Record<string, number>> | undefined,
  selfId: string,
): Record<string, number> => {
  if (!reported) return known;
  const merged = { ...known };
  for (const [userId, readSeq] of Object.entries(reported)) {
    if (userId !== selfId && readSeq > (merged[userId] ?? 0)) merged[userId] = readSeq;
  }
  return merged;
};
