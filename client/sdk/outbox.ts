import type { Message } from '../../lambdas/shared/protocol';
import { Backoff, type BackoffOptions } from './backoff';
import { Emitter } from './emitter';
import type { MessengerError } from './errors';
import { randomId } from './ids';
import type { ClientStorage, OutboxEntry } from './storage/client-storage';

/** What one attempt to send an entry came to. */
export type TransmitOutcome =
  | { readonly kind: 'acked'; readonly message: Message }
  /** Worth sending again with the same id (CONFLICT, INTERNAL, RATE_LIMITED, a timeout). */
  | { readonly kind: 'retry'; readonly error: MessengerError }
  /** Refused for good (BAD_REQUEST, FORBIDDEN, ...): the entry is marked failed. */
  | { readonly kind: 'failed'; readonly error: MessengerError }
  /** No connection: wait for the next one. */
  | { readonly kind: 'offline' };

export interface OutboxChange {
  readonly entry: OutboxEntry;
  readonly state: 'pending' | 'sent' | 'failed' | 'discarded';
  /** The stored message, when sent. */
  readonly message?: Message;
}

export interface OutboxEvents {
  change: OutboxChange;
}

export interface OutboxOptions {
  readonly storage: ClientStorage;
  readonly transmit: (entry: OutboxEntry) => Promise<TransmitOutcome>;
  /** Delays between retries of one entry. Default 250 ms doubling to 10 s, full jitter. */
  readonly retry?: BackoffOptions;
  readonly onStorageError?: (error: unknown) => void;
}

interface Waiter {
  resolve(message: Message): void;
  reject(error: MessengerError): void;
}

/**
 * Messages not yet acknowledged. Each gets its clientMessageId once and keeps it: every resend
 * (after a drop, a timeout or a retryable error) uses the same id, so the server stores it once.
 * Entries of one conversation go one at a time, in order, because API Gateway may run concurrent
 * requests of one connection in any order; different conversations proceed independently.
 */
export class Outbox extends Emitter<OutboxEvents> {
  private readonly entries = new Map<string, OutboxEntry>();
  private readonly waiters = new Map<string, Waiter[]>();
  /** Conversation id -> the epoch of the loop sending it. */
  private readonly draining = new Map<string, number>();
  private online = false;
  private epoch = 0;
  private nextOrder = 1;
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly options: OutboxOptions) {
    super();
  }

  async load(): Promise<void> {
    for (const entry of await this.options.storage.loadOutbox()) {
      this.entries.set(entry.clientMessageId, entry);
      this.nextOrder = Math.max(this.nextOrder, entry.order + 1);
    }
  }

  flush(): Promise<void> {
    return this.writes;
  }

  /** Entries in send order, all or one conversation's. */
  list(conversationId?: string): OutboxEntry[] {
    return [...this.entries.values()]
      .filter((e) => conversationId === undefined || e.conversationId === conversationId)
      .sort((a, b) => a.order - b.order);
  }

  has(clientMessageId: string): boolean {
    return this.entries.has(clientMessageId);
  }

  /**
   * Queues a message. Resolves once the entry is stored (it survives a reload from then on) with
   * `sent`, which resolves with the stored message when acknowledged and rejects if it is refused.
   */
  async add(
    conversationId: string,
    body: string,
    clientMessageId = randomId(),
  ): Promise<{ entry: OutboxEntry; sent: Promise<Message> }> {
    const existing = this.entries.get(clientMessageId);
    if (existing) return { entry: existing, sent: this.wait(clientMessageId) };
    const entry: OutboxEntry = {
      clientMessageId,
      conversationId,
      body,
      createdAt: new Date().toISOString(),
      order: this.nextOrder++,
      attempts: 0,
      state: 'pending',
    };
    this.entries.set(clientMessageId, entry);
    const sent = this.wait(clientMessageId);
    await this.write(() => this.options.storage.putOutboxEntry(entry));
    this.emit('change', { entry, state: 'pending' });
    this.kick(conversationId);
    return { entry, sent };
  }

  private wait(clientMessageId: string): Promise<Message> {
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(clientMessageId) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(clientMessageId, list);
    });
  }

  /** The message is known to be stored (its ack, or its event seen first): forget the entry. */
  settle(message: Message): void {
    const entry = this.entries.get(message.clientMessageId);
    if (entry?.conversationId !== message.conversationId) return;
    this.entries.delete(entry.clientMessageId);
    void this.write(() => this.options.storage.deleteOutboxEntry(entry.clientMessageId));
    for (const waiter of this.take(entry.clientMessageId)) waiter.resolve(message);
    this.emit('change', { entry, state: 'sent', message });
  }

  /** Puts a failed entry back in the queue (at its old place in the order). */
  retry(clientMessageId: string): void {
    const entry = this.entries.get(clientMessageId);
    if (entry?.state !== 'failed') return;
    const { error: _error, ...rest } = entry;
    const again: OutboxEntry = { ...rest, state: 'pending', attempts: 0 };
    this.replace(again);
    this.emit('change', { entry: again, state: 'pending' });
    this.kick(entry.conversationId);
  }

  /** Drops a failed entry. */
  discard(clientMessageId: string): void {
    const entry = this.entries.get(clientMessageId);
    if (entry?.state !== 'failed') return;
    this.entries.delete(clientMessageId);
    void this.write(() => this.options.storage.deleteOutboxEntry(clientMessageId));
    this.emit('change', { entry, state: 'discarded' });
  }

  /** Online: send everything pending. Offline: stop until the next connection. */
  setOnline(online: boolean): void {
    // A planned switch of sockets opens the new one while online: the loops carry on.
    if (online === this.online) return;
    this.online = online;
    this.epoch += 1;
    if (!online) return;
    for (const conversationId of new Set(this.list().map((e) => e.conversationId))) this.kick(conversationId);
  }

  /** Rejects every waiter (the client is stopping); the entries stay stored. */
  abandonWaiters(error: MessengerError): void {
    for (const id of [...this.waiters.keys()]) for (const waiter of this.take(id)) waiter.reject(error);
  }

  private head(conversationId: string): OutboxEntry | undefined {
    return this.list(conversationId).find((e) => e.state === 'pending');
  }

  private kick(conversationId: string): void {
    if (!this.online || this.draining.get(conversationId) === this.epoch) return;
    if (!this.head(conversationId)) return;
    const epoch = this.epoch;
    this.draining.set(conversationId, epoch);
    void this.drain(conversationId, epoch);
  }

  private async drain(conversationId: string, epoch: number): Promise<void> {
    const backoff = new Backoff({ baseMs: 250, maxMs: 10_000, ...this.options.retry });
    let offline = false;
    try {
      while (this.online && this.epoch === epoch) {
        const head = this.head(conversationId);
        if (!head) break;
        const entry: OutboxEntry = { ...head, attempts: head.attempts + 1 };
        this.entries.set(entry.clientMessageId, entry);
        const outcome = await this.options.transmit(entry);
        if (outcome.kind === 'acked') {
          backoff.reset();
          this.settle(outcome.message);
        } else if (outcome.kind === 'failed') {
          if (this.entries.has(entry.clientMessageId)) this.fail(entry, outcome.error);
        } else if (outcome.kind === 'retry') {
          // A quota's own answer beats guessing: wait at least as long as the server asked.
          const delay = Math.max(backoff.next(), outcome.error.retryAfterMs ?? 0);
          await new Promise((resolve) => setTimeout(resolve, delay));
        } else {
          offline = true;
          break;
        }
      }
    } finally {
      if (this.draining.get(conversationId) === epoch) this.draining.delete(conversationId);
    }
    // An entry added while this loop was finishing would otherwise wait for the next connection.
    if (!offline && this.epoch === epoch) this.kick(conversationId);
  }

  private fail(entry: OutboxEntry, error: MessengerError): void {
    const failed: OutboxEntry = {
      ...entry,
      state: 'failed',
      error: { code: error.code, message: error.message },
    };
    this.replace(failed);
    for (const waiter of this.take(entry.clientMessageId)) waiter.reject(error);
    this.emit('change', { entry: failed, state: 'failed' });
  }

  private replace(entry: OutboxEntry): void {
    this.entries.set(entry.clientMessageId, entry);
    void this.write(() => this.options.storage.putOutboxEntry(entry));
  }

  private take(clientMessageId: string): Waiter[] {
    const list = this.waiters.get(clientMessageId) ?? [];
    this.waiters.delete(clientMessageId);
    return list;
  }

  private write(operation: () => Promise<void>): Promise<void> {
    this.writes = this.writes.then(operation).catch((error: unknown) => this.options.onStorageError?.(error));
    return this.writes;
  }
}
