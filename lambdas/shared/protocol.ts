/**
 * The wire contract (shared/spec/protocol.md, extended in docs/protocol.md): limits, the objects,
 * the server events and the answers. Types only and constants, so the client SDK imports it too.
 */

export const LIMITS = {
  /** API Gateway's WebSocket frame limit. */
  frameBytes: 32 * 1024,
  /** API Gateway's WebSocket message limit (a message may span frames). */
  messageBytes: 128 * 1024,
  requestIdLength: 64,
  clientMessageIdLength: 64,
  bodyCharacters: 4000,
  groupNameCharacters: 100,
  /** Other members named in createGroup. */
  groupInvitees: 249,
  groupMembers: 250,
  syncDefaultLimit: 100,
  syncMaxLimit: 200,
  presenceUsers: 100,
} as const;

export const USER_ID_PATTERN = /^[A-Za-z0-9_.@-]{1,128}$/;
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Direct ids are `dm:<a>:<b>`; group ids `g:<random>`. Never `#`, which the keys use. */
export const CONVERSATION_ID_PATTERN = /^[A-Za-z0-9_.@:-]{1,300}$/;

export type ErrorCodeName =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'INTERNAL';

export type MessageKind = 'text' | 'group_created' | 'members_added' | 'member_removed';

export interface Message {
  conversationId: string;
  seq: number;
  senderId: string;
  clientMessageId: string;
  body: string;
  sentAt: string;
  kind: MessageKind;
  data?: Record<string, unknown>;
}

export type ConversationKind = 'direct' | 'group';

export interface Conversation {
  conversationId: string;
  kind: ConversationKind;
  name?: string;
  memberIds: string[];
  lastSeq: number;
  readSeq: number;
  /** Extension: when the conversation last changed (ISO 8601). */
  lastActivityAt?: string;
  /** Extension, direct conversations: the other member's read position, by user id. */
  readSeqs?: Record<string, number>;
}

export type PresenceStatus = 'online' | 'offline';

export interface Presence {
  userId: string;
  status: PresenceStatus;
  lastSeen: string | null;
}

/** Answers: each carries the requestId of its request. */
export type Answer =
  | {
      type: 'ack';
      requestId: string;
      conversationId: string;
      clientMessageId: string;
      seq: number;
      sentAt: string;
    }
  | { type: 'conversation'; requestId: string; conversation: Conversation }
  | { type: 'conversations'; requestId: string; conversations: Conversation[] }
  | {
      type: 'messages';
      requestId: string;
      conversationId: string;
      messages: Message[];
      lastSeq: number;
      hasMore: boolean;
    }
  | { type: 'presence'; requestId: string; users: Presence[] }
  | { type: 'ok'; requestId: string }
  | { type: 'pong'; requestId: string };

export interface ErrorFrame {
  type: 'error';
  requestId?: string;
  code: ErrorCodeName;
  message: string;
  /** Extension, on RATE_LIMITED: milliseconds until the quota has room again. */
  retryAfterMs?: number;
}

/** Server events: no requestId. */
export type ServerEvent =
  | { type: 'message'; message: Message }
  | { type: 'conversation'; conversation: Conversation }
  | { type: 'presence'; userId: string; status: PresenceStatus; lastSeen: string | null }
  | { type: 'typing'; conversationId: string; userId: string }
  | { type: 'receipt'; conversationId: string; userId: string; readSeq: number };

export type ServerFrame = Answer | ErrorFrame | ServerEvent;

export type Action =
  | 'sendMessage'
  | 'openDirect'
  | 'createGroup'
  | 'addMembers'
  | 'removeMember'
  | 'listConversations'
  | 'sync'
  | 'history'
  | 'markRead'
  | 'typing'
  | 'getPresence'
  | 'registerPush'
  | 'ping';

export const ACTIONS: readonly Action[] = [
  'sendMessage',
  'openDirect',
  'createGroup',
  'addMembers',
  'removeMember',
  'listConversations',
  'sync',
  'history',
  'markRead',
  'typing',
  'getPresence',
  'registerPush',
  'ping',
];
