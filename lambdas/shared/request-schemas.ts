import { z } from 'zod';
import { CONVERSATION_ID_PATTERN, DEVICE_ID_PATTERN, LIMITS, USER_ID_PATTERN } from './protocol';

/**
 * Schemas of the client requests (protocol.md, "Requests"). Unknown fields are dropped, so a
 * `senderId` put into a frame is never read.
 */

const userId = z.string().regex(USER_ID_PATTERN, 'a user id of 1-128 characters [A-Za-z0-9_.@-]');
const conversationId = z.string().regex(CONVERSATION_ID_PATTERN, 'a conversation id');
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const limit = z.number().int().min(1).max(LIMITS.syncMaxLimit).default(LIMITS.syncDefaultLimit);

export const requestIdSchema = z.string().min(1).max(LIMITS.requestIdLength);

export const RequestSchemas = {
  sendMessage: z.object({
    conversationId,
    clientMessageId: z.string().min(1).max(LIMITS.clientMessageIdLength),
    body: z.string().min(1).max(LIMITS.bodyCharacters),
  }),
  openDirect: z.object({ userId }),
  createGroup: z.object({
    name: z.string().trim().min(1).max(LIMITS.groupNameCharacters),
    memberIds: z.array(userId).min(1).max(LIMITS.groupInvitees),
  }),
  addMembers: z.object({ conversationId, userIds: z.array(userId).min(1).max(LIMITS.groupInvitees) }),
  removeMember: z.object({ conversationId, userId }),
  listConversations: z.object({}),
  sync: z.object({ conversationId, afterSeq: seq, limit }),
  history: z.object({ conversationId, beforeSeq: seq.min(1).optional(), limit }),
  markRead: z.object({ conversationId, seq }),
  typing: z.object({ conversationId }),
  getPresence: z.object({ userIds: z.array(userId).min(1).max(LIMITS.presenceUsers) }),
  registerPush: z.object({
    platform: z.enum(['APNS', 'APNS_SANDBOX', 'GCM']),
    token: z.string().min(1).max(4096),
    /** Extension: show sender and text in notifications; absent keeps the device's setting (true when new). */
    preview: z.boolean().optional(),
  }),
  ping: z.object({}),
} as const;

export type RequestSchemaMap = typeof RequestSchemas;
export type RequestInput<A extends keyof RequestSchemaMap> = z.output<RequestSchemaMap[A]>;

export const deviceIdSchema = z.string().regex(DEVICE_ID_PATTERN);
