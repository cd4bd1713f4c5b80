import { ForbiddenError, NotFoundError } from '../shared/errors';
import { directMembers } from './conversation-id';
import { type ConversationHead, type ConversationStore, isActive, type Membership } from './ports';

export interface Access {
  head: ConversationHead;
  membership: Membership;
  readSeq: number;
}

/**
 * The head, the user's membership and read position, in one strongly consistent read. NOT_FOUND
 * for an unknown conversation; FORBIDDEN for someone who never was a member, or (with `active`)
 * who is no longer one.
 */
export const requireAccess = async (
  store: Pick<ConversationStore, 'readAccess'>,
  conversationId: string,
  userId: string,
  { active = false }: { active?: boolean } = {},
): Promise<Access> => {
  const { head, membership, readSeq } = await store.readAccess(conversationId, userId);
  if (!head) throw new NotFoundError('No such conversation', { context: { conversationId } });
  if (!membership || (active && !isActive(membership))) {
    throw new ForbiddenError('Not a member of this conversation');
  }
  return { head, membership, readSeq };
};

/** Current members: a direct conversation's two from its id, a group's from its member items. */
export const currentMemberIds = async (
  store: Pick<ConversationStore, 'listMembers'>,
  conversationId: string,
): Promise<string[]> =>
  directMembers(conversationId) ?? (await store.listMembers(conversationId)).map((member) => member.userId);
