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
  /** Groups: who created it (may remove others) and how many active members it has. */
  createdBy?: string;
  memberCount?: number;
}

export interface Membership {
  conversationId: string;
  userId: string;
  /** The seq of the membership change that added the user (0 for the members of a direct conversation). */
  joinedSeq: number;
  /** The seq of the membership change that removed the user; absent while a member. */
  removedSeq?: number;
}

export const isActive = (membership: Membership | undefined): membership is Membership =>
  membership !== undefined && membership.removedSeq === undefined;

/** A fixed-window quota, counted per user. */
export interface RateLimit {
  bucket: string;
  limit: number;
  windowSeconds: number;
}

/** Milliseconds from `now` until the quota's current window ends. */
export const quotaRetryAfterMs = (quota: RateLimit, now: Date): number => {
  const windowMs = quota.windowSeconds * 1000;
  return windowMs - (now.getTime() % windowMs);
};

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
  | { kind: 'not-member' }
  | { kind: 'rate-limited' };

/** A membership change, written in the same transaction as the message that records it. */
export interface MembershipChange {
  actorId: string;
  /** Users who become members at the message's seq. */
  added: string[];
  /** A user who stops being a member at the message's seq. */
  removed?: string;
  /** For a new group: the head to create instead of moving an existing one. */
  create?: { name: string; createdBy: string };
}

export interface MessagePage {
  messages: Message[];
}

export interface MessageLog {
  /** One strongly consistent read of the head, the sender's membership and the dedupe record. */
  readSendState(conversationId: string, senderId: string, clientMessageId: string): Promise<SendState>;
  /**
   * Moves lastSeq from `expectedLastSeq` to `message.seq` and stores the message and its dedupe
   * record, atomically, under the sender's quota.
   */
  append(expectedLastSeq: number, message: Message, quota?: RateLimit): Promise<AppendOutcome>;
  /** Like append, for a membership change: the message and the membership items in one transaction. */
  appendMembershipChange(
    expectedLastSeq: number,
    message: Message,
    change: MembershipChange,
  ): Promise<AppendOutcome>;
  /** Messages with afterSeq < seq <= upToSeq, ascending, at most `limit` (strongly consistent). */
  readAfter(conversationId: string, afterSeq: number, limit: number, upToSeq?: number): Promise<Message[]>;
  /** The newest `limit` messages with fromSeq <= seq < beforeSeq, ascending (strongly consistent). */
  readBefore(conversationId: string, beforeSeq: number, limit: number, fromSeq?: number): Promise<Message[]>;
}

export interface ReadPosition {
  conversationId: string;
  userId: string;
  readSeq: number;
}

export interface ConversationAccess {
  head?: ConversationHead;
  membership?: Membership;
  readSeq: number;
}

export interface InboxEntry {
  conversationId: string;
  readSeq: number;
  /** Set once the user was removed: the last seq they may see. */
  removedSeq?: number;
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
  /** Current (not removed) members (strongly consistent). */
  listMembers(conversationId: string): Promise<Membership[]>;
  /** Memberships of some users, removed ones included (strongly consistent). */
  readMemberships(conversationId: string, userIds: string[]): Promise<Membership[]>;
  /**
   * Adds inbox entries for users who joined at `joinedSeq`, read up to the seq before it (idempotent;
   * a join older than the entry's is ignored).
   */
  addToInboxes(conversationId: string, userIds: string[], joinedSeq: number, now: string): Promise<void>;
  /** Marks a user's inbox entry as removed at `removedSeq` (idempotent). */
  recordRemoval(userId: string, conversationId: string, removedSeq: number): Promise<void>;
  /** Moves a user's read position forward; false when it was already at or past `seq`. */
  advanceReadSeq(userId: string, conversationId: string, seq: number): Promise<boolean>;
  /** Read positions of users in conversations, many at once (strongly consistent). */
  readPositions(pairs: { conversationId: string; userId: string }[]): Promise<ReadPosition[]>;
  /** The other members of the user's direct conversations (their inbox, read by prefix). */
  listDirectContacts(userId: string): Promise<string[]>;
}

export interface PresenceRecord {
  userId: string;
  /** Open connection ids and when each expires (epoch seconds). */
  connections: Record<string, number>;
  lastSeen: string | null;
}

export interface PresenceStore {
  /** Strongly consistent read of several users' presence. */
  read(userIds: string[]): Promise<PresenceRecord[]>;
  /** Removes one `<expiresAt>#<connectionId>` entry (idempotent; no write when it is absent). */
  forgetEntry(userId: string, entry: string, now: string): Promise<void>;
}

export interface RateLimiter {
  /** Counts one use; false when the quota of the current window is spent. */
  consume(userId: string, quota: RateLimit, now: Date): Promise<boolean>;
}

export interface ConnectionRecord {
  userId: string;
  connectionId: string;
  deviceId: string;
  connectedAt: string;
}

export interface OpenConnection {
  userId: string;
  connectionId: string;
}

export interface ConnectionRegistry {
  /** Stores the connection and marks the user online; false when the user is at the connection cap. */
  add(connection: ConnectionRecord, cap?: number): Promise<boolean>;
  /** Deletes the connection and its presence entry (idempotent). */
  remove(userId: string, connectionId: string): Promise<void>;
  /** Open (unexpired) connections of a user, with their details. */
  list(userId: string): Promise<ConnectionRecord[]>;
  /** Open (unexpired) connection ids of many users at once, from their presence items. */
  listOpen(userIds: string[]): Promise<Map<string, OpenConnection[]>>;
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
