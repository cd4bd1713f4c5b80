import type { ConversationKind, Message } from '../shared/protocol';

/**
 * What the domain needs from storage and the network. The adapters implement these with AWS;
 * the domain never sees an AWS type.
 */

export interface ConversationHead {
  conversationId: string;
  kind: ConversationKind;
  name?: string;
  lastSeq: number;
  createdAt: string;
  lastActivityAt: string;
}

export interface Membership {
  conversationId: string;
  userId: string;
  /** The seq of the membership change that added the user (0 for founders of a direct conversation). */
  joinedSeq: number;
}

export interface SendState {
  head?: ConversationHead;
  membership?: Membership;
  /** The message this sender already stored under this clientMessageId, if any. */
  existing?: { seq: number; sentAt: string };
}

export type AppendOutcome =
  | { kind: 'appended' }
  /** Someone else took the seq; `lastSeq` is the head's current value when the store knows it. */
  | { kind: 'seq-taken'; lastSeq?: number }
  | { kind: 'duplicate' }
  | { kind: 'not-member' };

export interface MessagePage {
  messages: Message[];
}

export interface MessageLog {
  /** One strongly consistent read of the head, the sender's membership and the dedupe record. */
  readSendState(conversationId: string, senderId: string, clientMessageId: string): Promise<SendState>;
  /** Moves lastSeq from `expectedLastSeq` to `message.seq` and stores the message and its dedupe record, atomically. */
  append(expectedLastSeq: number, message: Message): Promise<AppendOutcome>;
  /** Messages with afterSeq < seq, ascending, at most `limit` (strongly consistent). */
  readAfter(conversationId: string, afterSeq: number, limit: number): Promise<Message[]>;
  /** The newest `limit` messages with seq < beforeSeq, ascending (strongly consistent). */
  readBefore(conversationId: string, beforeSeq: number, limit: number): Promise<Message[]>;
}

export interface ConversationAccess {
  head?: ConversationHead;
  membership?: Membership;
  readSeq: number;
}

export interface InboxEntry {
  conversationId: string;
  readSeq: number;
}

export interface ConversationStore {
  /** One strongly consistent read of the head, one user's membership and that user's read position. */
  readAccess(conversationId: string, userId: string): Promise<ConversationAccess>;
  /** Creates a direct conversation with its members and inbox entries; false when it exists already. */
  createDirect(conversationId: string, members: [string, string], now: string): Promise<boolean>;
  /** The user's conversations (strongly consistent). */
  listInbox(userId: string): Promise<InboxEntry[]>;
  /** Heads of many conversations (strongly consistent); missing ones are left out. */
  readHeads(conversationIds: string[]): Promise<ConversationHead[]>;
  /** Current members' user ids (strongly consistent). */
  listMemberIds(conversationId: string): Promise<string[]>;
}

export interface ConnectionRecord {
  userId: string;
  connectionId: string;
  deviceId: string;
  connectedAt: string;
}

export interface ConnectionRegistry {
  add(connection: ConnectionRecord): Promise<void>;
  remove(userId: string, connectionId: string): Promise<void>;
  /** Open (unexpired) connections of a user. */
  list(userId: string): Promise<ConnectionRecord[]>;
}

export type DeliveryOutcome = 'delivered' | 'gone';

export interface ConnectionNotifier {
  /** Posts one frame to one connection; 'gone' when the connection no longer exists (410). */
  post(connectionId: string, frame: unknown): Promise<DeliveryOutcome>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
