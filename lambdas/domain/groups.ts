import { randomUUID } from 'node:crypto';
import {
  BadRequestError,
  ConflictError,
  ContentionError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
} from '../shared/errors';
import { type Conversation, LIMITS, type Message, type MessageKind } from '../shared/protocol';
import { requireAccess } from './access';
import { type BackoffPolicy, retrySchedule } from './backoff';
import { groupConversationId } from './conversation-id';
import type { ConversationService } from './conversations';
import { DEFAULT_SEND_BACKOFF } from './messaging';
import {
  type Clock,
  type ConversationStore,
  isActive,
  type MembershipChange,
  type MessageLog,
  quotaRetryAfterMs,
  type RateLimit,
  type RateLimiter,
  systemClock,
} from './ports';

/** Membership items a single transaction can carry next to the head, the actor check and the message. */
export const MEMBERS_PER_CHANGE = 90;

export interface GroupLimits {
  changes: RateLimit;
}

export const DEFAULT_GROUP_LIMITS: GroupLimits = {
  changes: { bucket: 'groups', limit: 20, windowSeconds: 60 },
};

/**
 * Groups: creating, adding and removing members. Every change is a message of the conversation,
 * written in one transaction with the membership items, so all devices see it at the same seq.
 * A change naming more users than one transaction holds becomes several consecutive messages.
 * Any member may add; a member may remove themself (leave), and the creator may remove anyone.
 */
export class GroupService {
  constructor(
    private readonly store: ConversationStore,
    private readonly log: MessageLog,
    private readonly conversations: ConversationService,
    private readonly limiter: RateLimiter,
    private readonly clock: Clock = systemClock,
    private readonly limits: GroupLimits = DEFAULT_GROUP_LIMITS,
    private readonly backoff: BackoffPolicy = DEFAULT_SEND_BACKOFF,
  ) {}

  async create(creatorId: string, name: string, inviteeIds: string[]): Promise<Conversation> {
    const memberIds = [creatorId, ...new Set(inviteeIds.filter((userId) => userId !== creatorId))];
    if (memberIds.length < 2) throw new BadRequestError('A group needs at least one other member');
    if (memberIds.length > LIMITS.groupMembers) {
      throw new BadRequestError(`A group has at most ${LIMITS.groupMembers} members`);
    }
    await this.quotaOnce(creatorId)();
    const conversationId = groupConversationId(randomUUID().replaceAll('-', ''));
    const [founders, ...rest] = chunk(memberIds, MEMBERS_PER_CHANGE);
    const message = this.systemMessage(conversationId, 1, creatorId, 'group_created', {
      name,
      memberIds: founders,
    });
    const outcome = await this.log.appendMembershipChange(0, message, {
      actorId: creatorId,
      added: founders ?? [],
      create: { name, createdBy: creatorId },
    });
    if (outcome.kind !== 'appended') throw new ConflictError('The group could not be created; try again');
    await this.store.addToInboxes(conversationId, founders ?? [], message.seq, message.sentAt);
    const spent = async () => {};
    for (const batch of rest)
      await this.change(conversationId, creatorId, { actorId: creatorId, added: batch }, spent);
    return this.conversations.describe(conversationId, creatorId);
  }

  async addMembers(actorId: string, conversationId: string, userIds: string[]): Promise<Conversation> {
    const quota = this.quotaOnce(actorId);
    for (const batch of chunk([...new Set(userIds)], MEMBERS_PER_CHANGE)) {
      await this.change(conversationId, actorId, { actorId, added: batch }, quota);
    }
    return this.conversations.describe(conversationId, actorId);
  }

  async removeMember(actorId: string, conversationId: string, userId: string): Promise<Conversation> {
    await this.change(
      conversationId,
      actorId,
      { actorId, added: [], removed: userId },
      this.quotaOnce(actorId),
    );
    return this.conversations.describe(conversationId, actorId);
  }

  /**
   * One membership change, sequenced like a message: re-read and retry when the seq was taken.
   * The quota is spent only once the change is known to be valid, so a refused change stores nothing.
   */
  private async change(
    conversationId: string,
    actorId: string,
    requested: MembershipChange,
    quota: () => Promise<void>,
  ): Promise<void> {
    const retry = retrySchedule(this.backoff);
    for (let attempt = 0; await retry(attempt); attempt++) {
      const { head } = await requireAccess(this.store, conversationId, actorId, { active: true });
      if (head.kind !== 'group')
        throw new BadRequestError('The members of a direct conversation cannot change');
      const change = await this.effectiveChange(conversationId, head.createdBy, requested);
      if (!change) return;
      const growth = change.added.length - (change.removed ? 1 : 0);
      if ((head.memberCount ?? 0) + growth > LIMITS.groupMembers) {
        throw new ConflictError(`A group has at most ${LIMITS.groupMembers} members`);
      }
      await quota();
      const seq = head.lastSeq + 1;
      const message = change.removed
        ? this.systemMessage(conversationId, seq, actorId, 'member_removed', { userId: change.removed })
        : this.systemMessage(conversationId, seq, actorId, 'members_added', { memberIds: change.added });
      const outcome = await this.log.appendMembershipChange(head.lastSeq, message, change);
      if (outcome.kind === 'appended') {
        if (change.added.length > 0) {
          await this.store.addToInboxes(conversationId, change.added, message.seq, message.sentAt);
        }
        if (change.removed) await this.store.recordRemoval(change.removed, conversationId, message.seq);
        return;
      }
      if (outcome.kind === 'not-member') throw new ForbiddenError('Not a member of this conversation');
    }
    throw new ContentionError('The conversation is busy; try again');
  }

  /** The change minus what is already so; undefined when nothing is left to do. */
  private async effectiveChange(
    conversationId: string,
    createdBy: string | undefined,
    requested: MembershipChange,
  ): Promise<MembershipChange | undefined> {
    const { removed, actorId } = requested;
    if (removed) {
      if (removed !== actorId && actorId !== createdBy) {
        throw new ForbiddenError('Only the group creator may remove other members');
      }
      const [target] = await this.store.readMemberships(conversationId, [removed]);
      if (!isActive(target)) throw new NotFoundError('Not a member of this conversation');
      return requested;
    }
    const current = await this.store.readMemberships(conversationId, requested.added);
    const active = new Set(current.filter(isActive).map((member) => member.userId));
    const added = requested.added.filter((userId) => !active.has(userId));
    return added.length > 0 ? { ...requested, added } : undefined;
  }

  /** Spends one unit of the user's group-change quota on its first call; later calls do nothing. */
  private quotaOnce(userId: string): () => Promise<void> {
    let spent = false;
    return async () => {
      if (spent) return;
      spent = true;
      const now = this.clock.now();
      if (!(await this.limiter.consume(userId, this.limits.changes, now))) {
        throw new RateLimitedError('Too many group changes; slow down', {
          retryAfterMs: quotaRetryAfterMs(this.limits.changes, now),
        });
      }
    };
  }

  private systemMessage(
    conversationId: string,
    seq: number,
    senderId: string,
    kind: MessageKind,
    data: Record<string, unknown>,
  ): Message {
    return {
      conversationId,
      seq,
      senderId,
      clientMessageId: `system-${randomUUID()}`,
      body: '',
      sentAt: this.clock.now().toISOString(),
      kind,
      data,
    };
  }
}

const chunk = <T>(items: T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
};
