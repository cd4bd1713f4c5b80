import type { Conversation, Message } from '../../../lambdas/shared/protocol';

/** What the store keeps about one conversation besides its messages. */
export interface StoredConversation {
  readonly conversationId: string;
  /** The server's view, as last seen (listConversations or a `conversation` event). */
  readonly conversation: Conversation;
  /** Every visible message in (floorSeq, syncedSeq] is stored. */
  readonly syncedSeq: number;
  /** Messages at or below this seq were never fetched (scroll back with `history`). */
  readonly floorSeq: number;
  /** Other members' read positions, from `receipt` events. */
  readonly readBy: Readonly<Record<string, number>>;
}

/** A message waiting for its `ack`, or one the server refused for good. */
export interface OutboxEntry {
  readonly clientMessageId: string;
  readonly conversationId: string;
  readonly body: string;
  readonly createdAt: string;
  /** Position in the outbox: entries of one conversation are sent in this order. */
  readonly order: number;
  readonly attempts: number;
  readonly state: 'pending' | 'failed';
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * Where the SDK keeps history and the outbox. Writes are issued in order and need not be awaited
 * one by one; an implementation must apply them in the order they were called.
 */
export interface ClientStorage {
  loadConversations(): Promise<StoredConversation[]>;
  /** The newest `limit` messages of a conversation with seq < beforeSeq, ascending. */
  loadMessages(conversationId: string, beforeSeq: number, limit: number): Promise<Message[]>;
  /** Stores the conversation's state together with new messages, atomically where possible. */
  saveConversation(state: StoredConversation, messages: readonly Message[]): Promise<void>;
  loadOutbox(): Promise<OutboxEntry[]>;
  putOutboxEntry(entry: OutboxEntry): Promise<void>;
  deleteOutboxEntry(clientMessageId: string): Promise<void>;
  close(): void;
}
