import { BadRequestError } from '../shared/errors';

export const DIRECT_PREFIX = 'dm:';
const GROUP_PREFIX = 'g:';

/**
 * A direct conversation's id is derived from its two user ids (sorted), so both users and all their
 * devices reach the same conversation without coordination. User ids cannot contain ':'.
 */
export const directConversationId = (userA: string, userB: string): string => {
  if (userA === userB) throw new BadRequestError('A direct conversation needs two different users');
  const [first, second] = userA < userB ? [userA, userB] : [userB, userA];
  return `${DIRECT_PREFIX}${first}:${second}`;
};

/** The two members of a direct conversation, or undefined for any other id. */
export const directMembers = (conversationId: string): [string, string] | undefined => {
  if (!conversationId.startsWith(DIRECT_PREFIX)) return undefined;
  const parts = conversationId.slice(DIRECT_PREFIX.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return [parts[0], parts[1]];
};

export const groupConversationId = (random: string): string => `${GROUP_PREFIX}${random}`;
