import type {
  Action,
  Conversation,
  ErrorFrame,
  Message,
  Presence,
  ServerEvent,
  ServerFrame,
} from '../../lambdas/shared/protocol';
import type { BackoffOptions } from './backoff';
import { ConversationStore, type ConversationView } from './conversation-store';
import { Emitter } from './emitter';
import { isRetryable, MessengerError } from './errors';
import { randomId } from './ids';
import { Outbox, type OutboxChange, type TransmitOutcome } from './outbox';
import { ANSWER_TYPE, type AnswerTo, type RequestParams } from './requests';
import type { ClientStorage, OutboxEntry } from './storage/client-storage';
import { MemoryStorage } from './storage/memory';
import {
  ReconnectingSocket,
  type ReconnectingSocketOptions,
  type TokenProvider,
} from './transport/reconnecting-socket';
import type { CloseInfo, WebSocketConstructor } from './transport/websocket-like';

export type ConnectionStatus = 'connecting' | 'online' | 'offline' | 'stopped';

export interface MessengerClientOptions {
  /** WebSocket URL (the local runtime's `wsUrl`, or the API Gateway stage URL). */
  readonly url: string;
  /** The signed-in user (the token's `sub`): tells own messages from others'. */
  readonly userId: string;
  /** Stable per installation (per browser tab here): `[A-Za-z0-9_-]{1,64}`. */
  readonly deviceId: string;
  /** Asked before every handshake, so each (re)connect uses a fresh token. */
  readonly getToken: TokenProvider;
  /** Default: MemoryStorage. In a browser, IndexedDbStorage keeps history and outbox across reloads. */
  readonly storage?: ClientStorage;
  /** Default: the global WebSocket. Node 20: pass `WebSocket` from "ws". */
  readonly WebSocket?: WebSocketConstructor;
  /** A request unanswered this long rejects with TIMEOUT. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** A message ahead of a gap waits this long for the missing ones before `sync` fills it. Default 100 ms. */
  readonly gapFillDelayMs?: number;
  /** See ConversationStore: a new conversation starts at its newest this many messages. Default 100. */
  readonly initialWindow?: number;
  /** Typing notices go out at most once per this interval per conversation. Default 3 s. */
  readonly typingIntervalMs?: number;
  /** Heartbeat, backoff, connection age: see ReconnectingSocketOptions. */
  readonly socket?: Omit<ReconnectingSocketOptions, 'url' | 'deviceId' | 'getToken' | 'WebSocket'>;
  /** Delays between resends of a message after a retryable error. */
  readonly outboxRetry?: BackoffOptions;
}

export interface RequestOptions {
  readonly timeoutMs?: number;
  /** When not connected: wait for the connection (true, the default) or fail at once with DISCONNECTED. */
  readonly waitForOpen?: boolean;
}

export interface MessengerEvents {
  status: ConnectionStatus;
  /** A message became visible, in seq order per conversation (never twice). */
  message: Message;
  /** A conversation's state changed (metadata, lastSeq, read positions, unread). */
  conversation: ConversationView;
  presence: Presence;
  typing: { readonly conversationId: string; readonly userId: string };
  receipt: { readonly conversationId: string; readonly userId: string; readonly readSeq: number };
  /** An outbox entry was queued, sent, failed or discarded. */
  outbox: OutboxChange;
  /** Catch-up after a (re)connect finished: every conversation holds what the server had. */
  synced: { readonly conversations: number; readonly fetched: number };
  /** The connection was lost (also emitted for each kill in tests). */
  disconnected: CloseInfo & { readonly retryInMs: number | undefined };
  /** Something went wrong that no request is waiting for (unsolicited `error` frame, storage). */
  error: Error;
}

interface PendingRequest {
  readonly expect: string;
  readonly resolve: (frame: ServerFrame) => void;
  readonly reject: (error: MessengerError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

const SYNC_PAGE = 200;
const CATCH_UP_CONCURRENCY = 4;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The Messenger client: one reconnecting WebSocket, typed requests, an outbox that delivers every
 * message exactly once and in order, and a store that shows every conversation's history in seq
 * order on every device.
 */
export class MessengerClient extends Emitter<MessengerEvents> {
  readonly userId: string;
  readonly deviceId: string;
  private readonly socket: ReconnectingSocket;
  private readonly storage: ClientStorage;
  private readonly store: ConversationStore;
  private readonly outbox: Outbox;
  private readonly requestTimeoutMs: number;
  private readonly gapFillDelayMs: number;
  private readonly typingIntervalMs: number;
  private readonly requests = new Map<string, PendingRequest>();
  private readonly syncing = new Map<string, Promise<void>>();
  private readonly syncAgain = new Set<string>();
  private readonly gapTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly presenceByUser = new Map<string, Presence>();
  private readonly lastTyping = new Map<string, number>();
  private readonly presenceWanted = new Set<string>();
  private presenceTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly requestPrefix = randomId(8);
  private requestSeq = 0;
  private connection = 0;
  private state: ConnectionStatus = 'offline';
  private started = false;

  constructor(options: MessengerClientOptions) {
    super();
    this.userId = options.userId;
    this.deviceId = options.deviceId;
    this.storage = options.storage ?? new MemoryStorage();
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.gapFillDelayMs = options.gapFillDelayMs ?? 100;
    this.typingIntervalMs = options.typingIntervalMs ?? 3_000;
    const onStorageError = (error: unknown) =>
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
    this.store = new ConversationStore(this.storage, options.userId, {
      initialWindow: options.initialWindow,
      onStorageError,
    });
    this.outbox = new Outbox({
      storage: this.storage,
      transmit: (entry) => this.transmit(entry),
      retry: options.outboxRetry,
      onStorageError,
    });
    this.outbox.on('change', (change) => this.emit('outbox', change));
    this.socket = new ReconnectingSocket({
      ...options.socket,
      url: options.url,
      deviceId: options.deviceId,
      getToken: options.getToken,
      WebSocket: options.WebSocket,
    });
    this.socket.on('open', () => this.opened());
    this.socket.on('close', (info) => this.closed(info));
    this.socket.on('frame', (frame) => this.received(frame));
    this.socket.on('status', (status) => {
      if (status === 'connecting' || status === 'waiting') this.setStatus('connecting');
    });
    this.socket.on('error', (error) => this.emit('error', error));
  }

  get status(): ConnectionStatus {
    return this.state;
  }

  /** Loads stored history and outbox, then connects. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.store.load();
    await this.outbox.load();
    this.socket.start();
  }

  /** Disconnects for good; pending requests and sendMessage promises reject with STOPPED. */
  async stop(): Promise<void> {
    this.socket.stop();
    this.outbox.setOnline(false);
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    for (const timer of this.gapTimers.values()) clearTimeout(timer);
    this.gapTimers.clear();
    this.rejectAll(new MessengerError('STOPPED', 'client stopped'));
    this.outbox.abandonWaiters(new MessengerError('STOPPED', 'client stopped'));
    this.setStatus('stopped');
    await Promise.all([this.store.flush(), this.outbox.flush()]);
    this.storage.close();
  }

  /** Connects now instead of waiting out the backoff (e.g. on the browser's `online` event). */
  reconnectNow(): void {
    this.socket.reconnectNow();
  }

  /** Drops the connection as a network failure would; the client reconnects and catches up. */
  dropConnection(): void {
    this.socket.drop();
  }

  // ---- reading state -------------------------------------------------------------------------

  conversations(): ConversationView[] {
    return this.store.list();
  }

  conversation(conversationId: string): ConversationView | undefined {
    return this.store.view(conversationId);
  }

  /** The conversation's messages held in memory, ascending by seq, gapless. */
  messages(conversationId: string): readonly Message[] {
    return this.store.messages(conversationId);
  }

  /** Messages of this device not yet acknowledged (and failed ones), in send order. */
  pending(conversationId?: string): OutboxEntry[] {
    return this.outbox.list(conversationId);
  }

  presence(userId: string): Presence | undefined {
    return this.presenceByUser.get(userId);
  }

  // ---- actions -------------------------------------------------------------------------------

  /**
   * Queues a text message and resolves with it once the server acknowledged it (possibly after
   * reconnects). Rejects if the server refuses it for good; the entry then stays as `failed`.
   */
  async sendMessage(
    conversationId: string,
    body: string,
    options: { readonly clientMessageId?: string } = {},
  ): Promise<Message> {
    if (body.length < 1 || body.length > 4000) {
      throw new MessengerError('BAD_REQUEST', 'a message body has 1 to 4000 characters');
    }
    const { sent } = await this.outbox.add(conversationId, body, options.clientMessageId);
    return sent;
  }

  retryMessage(clientMessageId: string): void {
    this.outbox.retry(clientMessageId);
  }

  discardMessage(clientMessageId: string): void {
    this.outbox.discard(clientMessageId);
  }

  async openDirect(userId: string): Promise<ConversationView> {
    const answer = await this.request('openDirect', { userId });
    return this.adopt(answer.conversation);
  }

  async createGroup(name: string, memberIds: string[]): Promise<ConversationView> {
    const answer = await this.request('createGroup', { name, memberIds });
    return this.adopt(answer.conversation);
  }

  async addMembers(conversationId: string, userIds: string[]): Promise<ConversationView> {
    const answer = await this.request('addMembers', { conversationId, userIds });
    return this.adopt(answer.conversation);
  }

  async removeMember(conversationId: string, userId: string): Promise<ConversationView> {
    const answer = await this.request('removeMember', { conversationId, userId });
    return this.adopt(answer.conversation);
  }

  /**
   * Fetches up to `limit` messages older than those held (from storage first, then `history`).
   * Returns them ascending, and whether even older ones exist.
   */
  async loadOlder(conversationId: string, limit = 50): Promise<{ messages: Message[]; hasMore: boolean }> {
    const fromStorage = await this.store.loadOlderFromStorage(conversationId, limit);
    if (fromStorage.length > 0) {
      return { messages: fromStorage, hasMore: this.store.hasOlder(conversationId) };
    }
    const beforeSeq = this.store.historyCursor(conversationId);
    if (beforeSeq === undefined) return { messages: [], hasMore: this.store.hasOlder(conversationId) };
    const answer = await this.request('history', { conversationId, beforeSeq, limit });
    const older = this.store.applyHistory(conversationId, beforeSeq, limit, answer.messages);
    this.emitConversation(conversationId);
    return { messages: older, hasMore: this.store.hasOlder(conversationId) };
  }

  /** Marks everything up to `seq` (default: the newest held) read, here and on every device. */
  async markRead(conversationId: string, seq = this.store.syncedSeq(conversationId)): Promise<void> {
    if (seq < 1 || !this.store.setRead(conversationId, this.userId, seq)) return;
    this.emitConversation(conversationId);
    // Offline: the next catch-up sends it (the server's readSeq will be behind ours).
    await this.request('markRead', { conversationId, seq }, { waitForOpen: false }).catch(() => {});
  }

  /** Tells the other members this user is typing; throttled, best effort, never queued. */
  sendTyping(conversationId: string): void {
    const now = Date.now();
    if (now - (this.lastTyping.get(conversationId) ?? -Infinity) < this.typingIntervalMs) return;
    this.lastTyping.set(conversationId, now);
    this.request('typing', { conversationId }, { waitForOpen: false }).catch(() => {});
  }

  async getPresence(userIds: string[]): Promise<Presence[]> {
    const users: Presence[] = [];
    for (let i = 0; i < userIds.length; i += 100) {
      const answer = await this.request('getPresence', { userIds: userIds.slice(i, i + 100) });
      for (const presence of answer.users) this.updatePresence(presence);
      users.push(...answer.users);
    }
    return users;
  }

  async registerPush(platform: RequestParams['registerPush']['platform'], token: string): Promise<void> {
    await this.request('registerPush', { platform, token });
  }

  /** Fetches whatever the server has beyond what this device holds for one conversation. */
  refresh(conversationId: string): Promise<void> {
    return this.syncConversation(conversationId);
  }

  /** Sends one request and resolves with its typed answer; an `error` frame rejects with its code. */
  request<A extends Action>(
    action: A,
    params: RequestParams[A],
    options: RequestOptions = {},
  ): Promise<AnswerTo<A>> {
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    if (this.state === 'stopped') return Promise.reject(new MessengerError('STOPPED', 'client stopped'));
    if (!this.socket.isOpen) {
      if (options.waitForOpen === false) {
        return Promise.reject(new MessengerError('DISCONNECTED', 'not connected'));
      }
      const started = Date.now();
      return this.waitForOpen(timeoutMs).then(() =>
        this.request(action, params, { timeoutMs: Math.max(1, timeoutMs - (Date.now() - started)) }),
      );
    }
    const requestId = `${this.requestPrefix}-${++this.requestSeq}`;
    return new Promise<AnswerTo<A>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.requests.delete(requestId);
        reject(new MessengerError('TIMEOUT', `${action} timed out after ${timeoutMs} ms`, requestId));
        // A silent socket may be dead: find out now rather than at the next heartbeat.
        this.socket.probe();
      }, timeoutMs);
      this.requests.set(requestId, {
        expect: ANSWER_TYPE[action],
        resolve: resolve as (frame: ServerFrame) => void,
        reject,
        timer,
      });
      if (!this.socket.send({ ...params, action, requestId })) {
        clearTimeout(timer);
        this.requests.delete(requestId);
        reject(new MessengerError('DISCONNECTED', 'not connected', requestId));
      }
    });
  }

  // ---- connection lifecycle ------------------------------------------------------------------

  private opened(): void {
    const connection = ++this.connection;
    this.setStatus('online');
    this.outbox.setOnline(true);
    void this.catchUp(connection);
  }

  private closed(info: CloseInfo & { retryInMs: number | undefined }): void {
    this.connection += 1;
    this.outbox.setOnline(false);
    this.rejectAll(new MessengerError('DISCONNECTED', `connection lost (${info.code})`));
    this.setStatus(this.socket.status === 'stopped' ? 'stopped' : 'connecting');
    this.emit('disconnected', info);
  }

  /** On every (re)connect: list conversations, sync each that moved, resend unsent read marks. */
  private async catchUp(connection: number, attempt = 0): Promise<void> {
    try {
      const { conversations } = await this.request('listConversations', {}, { waitForOpen: false });
      const behind: string[] = [];
      for (const conversation of conversations) {
        const { view, behind: isBehind, readAhead } = this.store.upsert(conversation);
        this.emit('conversation', view);
        if (isBehind) behind.push(conversation.conversationId);
        if (readAhead) {
          const seq = view.readSeq;
          this.request(
            'markRead',
            { conversationId: view.conversationId, seq },
            { waitForOpen: false },
          ).catch(() => {});
        }
      }
      // Conversations held only from events (not listed) are caught up too.
      for (const id of this.store.ids()) if (!behind.includes(id) && this.store.isBehind(id)) behind.push(id);
      let fetched = 0;
      const queue = [...behind];
      const worker = async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          const before = this.store.syncedSeq(id);
          await this.syncConversation(id);
          fetched += this.store.syncedSeq(id) - before;
        }
      };
      await Promise.all(Array.from({ length: CATCH_UP_CONCURRENCY }, worker));
      if (connection !== this.connection) return;
      this.emit('synced', { conversations: conversations.length, fetched });
      void this.refreshPresence(conversations).catch(() => {});
    } catch (error) {
      if (connection !== this.connection || !(error instanceof MessengerError)) return;
      if (error.code === 'DISCONNECTED' || error.code === 'STOPPED') return;
      this.emit('error', error);
      // The connection is up but the server failed: try again after a pause.
      setTimeout(
        () => {
          if (connection === this.connection) void this.catchUp(connection, attempt + 1);
        },
        Math.min(30_000, 1_000 * 2 ** attempt),
      );
    }
  }

  private async refreshPresence(conversations: readonly Conversation[]): Promise<void> {
    const peers = new Set<string>();
    for (const c of conversations) {
      if (c.kind === 'direct') for (const id of c.memberIds) if (id !== this.userId) peers.add(id);
    }
    if (peers.size > 0) await this.getPresence([...peers]);
  }

  /** Syncs one conversation forward until the server has nothing more; one loop per conversation. */
  private syncConversation(conversationId: string): Promise<void> {
    const running = this.syncing.get(conversationId);
    if (running) {
      this.syncAgain.add(conversationId);
      return running;
    }
    const run = (async () => {
      do {
        this.syncAgain.delete(conversationId);
        this.store.prepareCatchUp(conversationId);
        let more = true;
        while (more) {
          const afterSeq = this.store.syncedSeq(conversationId);
          const page = await this.request(
            'sync',
            { conversationId, afterSeq, limit: SYNC_PAGE },
            { waitForOpen: false },
          );
          this.deliver(conversationId, this.store.applySync(conversationId, afterSeq, page));
          more = page.hasMore && page.messages.length > 0;
        }
      } while (this.syncAgain.has(conversationId));
    })().finally(() => {
      this.syncing.delete(conversationId);
      // Events that arrived ahead of what the sync saw: give them a moment, then fill again.
      if (this.store.isBehind(conversationId)) this.scheduleGapFill(conversationId);
    });
    this.syncing.set(conversationId, run);
    return run;
  }

  private scheduleGapFill(conversationId: string): void {
    if (this.gapTimers.has(conversationId) || this.state !== 'online') return;
    this.gapTimers.set(
      conversationId,
      setTimeout(() => {
        this.gapTimers.delete(conversationId);
        if (this.store.isBehind(conversationId)) this.syncConversation(conversationId).catch(() => {});
      }, this.gapFillDelayMs),
    );
  }

  // ---- frames --------------------------------------------------------------------------------

  private received(frame: unknown): void {
    if (!isRecord(frame) || typeof frame.type !== 'string') return;
    const requestId = frame.requestId;
    if (typeof requestId === 'string') {
      const pending = this.requests.get(requestId);
      if (!pending) return;
      this.requests.delete(requestId);
      clearTimeout(pending.timer);
      const typed = frame as unknown as ServerFrame;
      if (typed.type === 'error') {
        pending.reject(new MessengerError(typed.code, typed.message, requestId, typed.retryAfterMs));
      } else if (typed.type === pending.expect) {
        pending.resolve(typed);
      } else {
        pending.reject(
          new MessengerError('INTERNAL', `expected ${pending.expect}, got ${typed.type}`, requestId),
        );
      }
      return;
    }
    if (frame.type === 'error') {
      const error = frame as unknown as ErrorFrame;
      this.emit('error', new MessengerError(error.code, error.message));
      return;
    }
    this.handleEvent(frame as unknown as ServerEvent);
  }

  private handleEvent(event: ServerEvent): void {
    switch (event.type) {
      case 'message': {
        if (!isRecord(event.message) || typeof event.message.seq !== 'number') return;
        const { applied, gap } = this.store.receive(event.message);
        this.deliver(event.message.conversationId, applied);
        if (gap) this.scheduleGapFill(event.message.conversationId);
        if (!this.store.isKnown(event.message.conversationId)) this.learn(event.message.conversationId);
        return;
      }
      case 'conversation': {
        const { view, behind } = this.store.upsert(event.conversation);
        this.emit('conversation', view);
        this.wantPresence(view);
        if (behind) this.scheduleGapFill(view.conversationId);
        return;
      }
      case 'receipt': {
        this.emit('receipt', event);
        if (this.store.setRead(event.conversationId, event.userId, event.readSeq)) {
          this.emitConversation(event.conversationId);
        }
        return;
      }
      case 'presence':
        this.updatePresence({ userId: event.userId, status: event.status, lastSeen: event.lastSeen });
        return;
      case 'typing':
        this.emit('typing', { conversationId: event.conversationId, userId: event.userId });
        return;
    }
  }

  /** A message of a conversation this device has no metadata for: ask the server for the list. */
  private learn(conversationId: string): void {
    if (this.syncing.has(`list:${conversationId}`)) return;
    const run = this.request('listConversations', {}, { waitForOpen: false })
      .then(({ conversations }) => {
        for (const conversation of conversations) {
          if (this.store.isKnown(conversation.conversationId)) continue;
          const { view, behind } = this.store.upsert(conversation);
          this.emit('conversation', view);
          this.wantPresence(view);
          if (behind) this.scheduleGapFill(view.conversationId);
        }
      })
      .catch(() => {})
      .finally(() => this.syncing.delete(`list:${conversationId}`));
    this.syncing.set(`list:${conversationId}`, run);
  }

  private deliver(conversationId: string, applied: readonly Message[]): void {
    if (applied.length === 0) return;
    for (const message of applied) {
      if (message.senderId === this.userId) this.outbox.settle(message);
      this.emit('message', message);
    }
    this.emitConversation(conversationId);
  }

  private async transmit(entry: OutboxEntry): Promise<TransmitOutcome> {
    try {
      const ack = await this.request(
        'sendMessage',
        { conversationId: entry.conversationId, clientMessageId: entry.clientMessageId, body: entry.body },
        { waitForOpen: false },
      );
      // The ack proves the message is stored with this seq: show it without waiting for the event.
      const message: Message = {
        conversationId: entry.conversationId,
        seq: ack.seq,
        senderId: this.userId,
        clientMessageId: entry.clientMessageId,
        body: entry.body,
        sentAt: ack.sentAt,
        kind: 'text',
      };
      const { applied, gap } = this.store.receive(message);
      this.deliver(entry.conversationId, applied);
      if (gap) this.scheduleGapFill(entry.conversationId);
      return { kind: 'acked', message };
    } catch (error) {
      const failure =
        error instanceof MessengerError ? error : new MessengerError('INTERNAL', String(error), undefined);
      if (failure.code === 'DISCONNECTED' || failure.code === 'STOPPED') return { kind: 'offline' };
      return isRetryable(failure) ? { kind: 'retry', error: failure } : { kind: 'failed', error: failure };
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private adopt(conversation: Conversation): ConversationView {
    const { view, behind } = this.store.upsert(conversation);
    this.emit('conversation', view);
    this.wantPresence(view);
    if (behind) this.syncConversation(view.conversationId).catch(() => {});
    return view;
  }

  /** Direct peers whose presence is unknown are looked up in one batched request. */
  private wantPresence(view: Conversation): void {
    if (view.kind !== 'direct' || this.state !== 'online') return;
    for (const id of view.memberIds) {
      if (id !== this.userId && !this.presenceByUser.has(id)) this.presenceWanted.add(id);
    }
    if (this.presenceWanted.size === 0 || this.presenceTimer) return;
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = undefined;
      const userIds = [...this.presenceWanted].filter((id) => !this.presenceByUser.has(id));
      this.presenceWanted.clear();
      if (userIds.length > 0) this.getPresence(userIds).catch(() => {});
    }, 50);
  }

  private emitConversation(conversationId: string): void {
    const view = this.store.view(conversationId);
    if (view && this.store.isKnown(conversationId)) this.emit('conversation', view);
  }

  private updatePresence(presence: Presence): void {
    this.presenceByUser.set(presence.userId, presence);
    this.emit('presence', presence);
  }

  private waitForOpen(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        offStop();
        reject(new MessengerError('TIMEOUT', `not connected within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.socket.on('open', () => {
        clearTimeout(timer);
        off();
        offStop();
        resolve();
      });
      const offStop = this.on('status', (status) => {
        if (status !== 'stopped') return;
        clearTimeout(timer);
        off();
        offStop();
        reject(new MessengerError('STOPPED', 'client stopped'));
      });
    });
  }

  private rejectAll(error: MessengerError): void {
    const pending = [...this.requests.values()];
    this.requests.clear();
    for (const request of pending) {
      clearTimeout(request.timer);
      request.reject(error);
    }
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.state === status || this.state === 'stopped') return;
    this.state = status;
    this.emit('status', status);
  }
}

/** Creates a client, loads its storage and starts connecting. */
export const connect = async (options: MessengerClientOptions): Promise<MessengerClient> => {
  const client = new MessengerClient(options);
  await client.start();
  return client;
};
