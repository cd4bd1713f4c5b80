import type { Action, Answer } from '../../lambdas/shared/protocol';

/** The fields of each request, besides `action` and `requestId`. */
export interface RequestParams {
  sendMessage: { conversationId: string; clientMessageId: string; body: string };
  openDirect: { userId: string };
  createGroup: { name: string; memberIds: string[] };
  addMembers: { conversationId: string; userIds: string[] };
  removeMember: { conversationId: string; userId: string };
  listConversations: Record<string, never>;
  sync: { conversationId: string; afterSeq: number; limit?: number };
  history: { conversationId: string; beforeSeq: number; limit?: number };
  markRead: { conversationId: string; seq: number };
  typing: { conversationId: string };
  getPresence: { userIds: string[] };
  registerPush: { platform: 'APNS' | 'APNS_SANDBOX' | 'GCM'; token: string };
  ping: Record<string, never>;
}

/** The answer type of each action (an `error` frame instead rejects the request). */
export const ANSWER_TYPE = {
  sendMessage: 'ack',
  openDirect: 'conversation',
  createGroup: 'conversation',
  addMembers: 'conversation',
  removeMember: 'conversation',
  listConversations: 'conversations',
  sync: 'messages',
  history: 'messages',
  markRead: 'ok',
  typing: 'ok',
  getPresence: 'presence',
  registerPush: 'ok',
  ping: 'pong',
} as const satisfies Record<Action, Answer['type']>;

export type AnswerTo<A extends Action> = Extract<Answer, { type: (typeof ANSWER_TYPE)[A] }>;

/** Compile-time check that RequestParams names every action and nothing else. */
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _everyAction: Exact<keyof RequestParams, Action> = true;
void _everyAction;
