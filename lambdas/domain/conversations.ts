import type { Conversation, Message } from '../shared/protocol';
import { currentMemberIds, requireAccess } from './access';
import { directConversationId, directMembers } from './conversation-id';
import {
  type Clock,
  type ConversationHead,
  type ConversationStore,
  type Membership,
  type MessageLog,
  systemClock,
} from './ports';

export interface MessagesPage {
  conversationId: string;
  messages: Message[];
  lastSeq: number;
  hasMore: boolean;
}

/**
 * Opening conversations, listing a user's inbox and reading the log: every read strongly consistent.
 * A member reads the log from the seq that added them; a removed member up to the seq that removed them.
 */
export class ConversationService {
  constructor(
    private readonly store: ConversationStore,
    private readonly log: MessageLog,
    private readonly clock: Clock = systemClock,
  ) {}

  async openDirect(userId: string, otherUserId: string): Promise<Conversation> {
    const conversationId = directConversationId(userId, otherUserId);
    const members: [string, string] = userId < otherUserId ? [userId, otherUserId] : [otherUserId, userId];
    await this.store.createDirect(conversationId, members, this.clock.now().toISOString());
    return this.describe(conversationId, userId);
  }

  /** The conversation as `userId` sees it; FORBIDDEN for someone who never was a member. */
  async describe(conversationId: string, userId: string): Promise<Conversation> {
    const { head, membership, readSeq } = await requireAccess(this.store, conversationId, userId);
    const conversation = toConversation(
      head,
      await currentMemberIds(this.store, head.conversationId),
      readSeq,
      membership.removedSeq,
    );
    return (await this.withPeerReadSeqs([conversation], userId))[0] ?? conversation;
  }

  async list(userId: string): Promise<Conversation[]> {
    const inbox = await this.store.listInbox(userId);
    if (inbox.length === 0) return [];
    const heads = await this.store.readHeads(inbox.map((entry) => entry.conversationId));
    const byId = new Map(heads.map((head) => [head.conversationId, head]));
    const conversations = await Promise.all(
      inbox.map(async (entry) => {
        const head = byId.get(entry.conversationId);
        if (!head) return undefined;
        return toConversation(
          head,
          await currentMemberIds(this.store, head.conversationId),
          entry.readSeq,
          entry.removedSeq,
        );
      }),
    );
    const present = conversations.filter(
      (conversation): conversation is Conversation => conversation !== undefined,
    );
    return (await this.withPeerReadSeqs(present, userId)).sort((a, b) =>
      (b.lastActivityAt ?? '').localeCompare(a.lastActivityAt ?? ''),
    );
  }

  /**
   * Direct conversations carry the other member's read position (`readSeqs`), so a device that was
   * offline when a receipt went out still shows what was read: one batched read for all of them.
   * Groups do not (up to 250 reads each); their devices learn positions from `receipt` events.
   */
  private async withPeerReadSeqs(conversations: Conversation[], userId: string): Promise<Conversation[]> {
    const pairs = conversations.flatMap((conversation) => {
      const peer = directMembers(conversation.conversationId)?.find((member) => member !== userId);
      return peer ? [{ conversationId: conversation.conversationId, userId: peer }] : [];
    });
    const positions = await this.store.readPositions(pairs);
    const read = new Map(positions.map((position) => [position.conversationId, position.readSeq]));
    const peers = new Map(pairs.map((pair) => [pair.conversationId, pair.userId]));
    return conversations.map((conversation) => {
      const peer = peers.get(conversation.conversationId);
      if (peer === undefined) return conversation;
      return { ...conversation, readSeqs: { [peer]: read.get(conversation.conversationId) ?? 0 } };
    });
  }

  async sync(userId: string, conversationId: string, afterSeq: number, limit: number): Promise<MessagesPage> {
    const { head, membership } = await requireAccess(this.store, conversationId, userId);
    const { first, last } = visibleRange(membership);
    const messages = await this.log.readAfter(conversationId, Math.max(afterSeq, first - 1), limit, last);
    const lastSeq = membership.removedSeq ?? Math.max(head.lastSeq, messages.at(-1)?.seq ?? 0);
    const lastReturned = messages.at(-1)?.seq ?? Math.max(afterSeq, first - 1);
    return { conversationId, messages, lastSeq, hasMore: lastReturned < lastSeq };
  }

  async history(
    userId: string,
    conversationId: string,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<MessagesPage> {
    const { head, membership } = await requireAccess(this.store, conversationId, userId);
    const { first, last } = visibleRange(membership);
    const before = Math.min(beforeSeq ?? Number.MAX_SAFE_INTEGER, last + 1);
    const messages = await this.log.readBefore(conversationId, before, limit, first);
    const lastSeq = membership.removedSeq ?? Math.max(head.lastSeq, messages.at(-1)?.seq ?? 0);
    const oldest = messages[0]?.seq ?? first;
    return { conversationId, messages, lastSeq, hasMore: oldest > first };
  }
}

/** The seqs a member may read: from the change that added them to the one that removed them. */
const visibleRange = (membership: Membership) => ({
  first: Math.max(1, membership.joinedSeq),
  last: membership.removedSeq ?? Number.MAX_SAFE_INTEGER,
});

/** The conversation as one user sees it: a removed member's `lastSeq` is the seq that removed them. */
export const toConversation = (
  head: ConversationHead,
  memberIds: string[],
  readSeq: number,
  removedSeq?: number,
): Conversation => ({
  conversationId: head.conversationId,
  kind: head.kind,
  ...(head.name === undefined ? {} : { name: head.name }),
  memberIds,
  lastSeq: removedSeq ?? head.lastSeq,
  readSeq,
  lastActivityAt: head.lastActivityAt,
});
