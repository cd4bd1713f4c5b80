import { ForbiddenError, NotFoundError } from '../shared/errors';
import type { Conversation, Message } from '../shared/protocol';
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

/** Opening conversations, listing a user's inbox and reading the log: every read strongly consistent. */
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

  /** The conversation as `userId` sees it; FORBIDDEN for a non-member. */
  async describe(conversationId: string, userId: string): Promise<Conversation> {
    const { head, readSeq } = await this.requireMember(conversationId, userId);
    return toConversation(head, await this.memberIds(head), readSeq);
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
        return toConversation(head, await this.memberIds(head), entry.readSeq);
      }),
    );
    return conversations
      .filter((conversation): conversation is Conversation => conversation !== undefined)
      .sort((a, b) => (b.lastActivityAt ?? '').localeCompare(a.lastActivityAt ?? ''));
  }

  async sync(userId: string, conversationId: string, afterSeq: number, limit: number): Promise<MessagesPage> {
    const { head } = await this.requireMember(conversationId, userId);
    const messages = await this.log.readAfter(conversationId, afterSeq, limit);
    const lastSeq = Math.max(head.lastSeq, messages.at(-1)?.seq ?? 0);
    const lastReturned = messages.at(-1)?.seq ?? afterSeq;
    return { conversationId, messages, lastSeq, hasMore: lastReturned < lastSeq };
  }

  async history(
    userId: string,
    conversationId: string,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<MessagesPage> {
    const { head } = await this.requireMember(conversationId, userId);
    const before = beforeSeq ?? head.lastSeq + 1;
    const messages = await this.log.readBefore(conversationId, before, limit);
    const lastSeq = Math.max(head.lastSeq, messages.at(-1)?.seq ?? 0);
    const oldest = messages[0]?.seq ?? Math.min(before, lastSeq + 1);
    return { conversationId, messages, lastSeq, hasMore: oldest > 1 };
  }

  private async requireMember(
    conversationId: string,
    userId: string,
  ): Promise<{ head: ConversationHead; membership: Membership; readSeq: number }> {
    const { head, membership, readSeq } = await this.store.readAccess(conversationId, userId);
    if (!head) throw new NotFoundError('No such conversation', { context: { conversationId } });
    if (!membership) throw new ForbiddenError('Not a member of this conversation');
    return { head, membership, readSeq };
  }

  private async memberIds(head: ConversationHead): Promise<string[]> {
    return directMembers(head.conversationId) ?? this.store.listMemberIds(head.conversationId);
  }
}

const toConversation = (head: ConversationHead, memberIds: string[], readSeq: number): Conversation => ({
  conversationId: head.conversationId,
  kind: head.kind,
  ...(head.name === undefined ? {} : { name: head.name }),
  memberIds,
  lastSeq: head.lastSeq,
  readSeq,
  lastActivityAt: head.lastActivityAt,
});
