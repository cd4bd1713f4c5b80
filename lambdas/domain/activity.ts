import { RateLimitedError } from '../shared/errors';
import { currentMemberIds, requireAccess } from './access';
import {
  type Clock,
  type ConnectionNotifier,
  type ConnectionRegistry,
  type ConversationStore,
  quotaRetryAfterMs,
  type RateLimit,
  type RateLimiter,
  systemClock,
} from './ports';

export const DEFAULT_TYPING_QUOTA: RateLimit = { bucket: 'typing', limit: 20, windowSeconds: 10 };

/**
 * Read receipts and typing. A read position only moves forward; the stream turns each move into
 * `receipt` events. Typing is ephemeral: relayed to the other members' open connections, never stored.
 */
export class ActivityService {
  constructor(
    private readonly store: ConversationStore,
    private readonly connections: ConnectionRegistry,
    private readonly notifier: ConnectionNotifier,
    private readonly limiter: RateLimiter,
    private readonly clock: Clock = systemClock,
    private readonly typingQuota: RateLimit = DEFAULT_TYPING_QUOTA,
  ) {}

  /** Moves the reader's position to `seq` (capped at what they can see); backwards is ignored. */
  async markRead(userId: string, conversationId: string, seq: number): Promise<void> {
    const { head, membership } = await requireAccess(this.store, conversationId, userId);
    const visible = Math.min(seq, membership.removedSeq ?? head.lastSeq);
    if (visible > 0) await this.store.advanceReadSeq(userId, conversationId, visible);
  }

  async typing(userId: string, conversationId: string): Promise<void> {
    // Access first: a refused request (not found, not a member) must not count against the quota.
    await requireAccess(this.store, conversationId, userId, { active: true });
    const now = this.clock.now();
    if (!(await this.limiter.consume(userId, this.typingQuota, now))) {
      throw new RateLimitedError('Too many typing notices; slow down', {
        retryAfterMs: quotaRetryAfterMs(this.typingQuota, now),
      });
    }
    const members = await currentMemberIds(this.store, conversationId);
    const event = { type: 'typing', conversationId, userId } as const;
    const open = await this.connections.listOpen(members.filter((member) => member !== userId));
    await Promise.all(
      [...open.values()].flat().map(async (connection) => {
        const outcome = await this.notifier.post(connection.connectionId, event);
        if (outcome === 'gone') await this.connections.remove(connection.userId, connection.connectionId);
      }),
    );
  }
}
