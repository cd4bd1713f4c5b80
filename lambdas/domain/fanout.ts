import { logger } from '../shared/logger';
import type { Message, ServerEvent } from '../shared/protocol';
import { directMembers } from './conversation-id';
import type { ConnectionNotifier, ConnectionRecord, ConnectionRegistry, ConversationStore } from './ports';

/** One stream record the fan-out acts on, already decoded. `id` is the record's SequenceNumber. */
export interface FanoutChange {
  id: string;
  conversationId: string;
  event: ServerEvent;
  /** For new messages: members with no open connection are handed to the offline notifier. */
  message?: Message;
}

/** Seam for push notifications to members who have no open connection. */
export interface OfflineNotifier {
  notify(userIds: string[], message: Message): Promise<void>;
}

/**
 * Delivers events to every open connection of every member. At least once: a change whose delivery
 * failed is reported (with the later changes of its conversation, so order is kept) and retried by
 * the stream; recipients that did get it see a duplicate, which clients drop. A gone connection (410)
 * is deleted and never fails the change.
 */
export class FanoutService {
  constructor(
    private readonly conversations: Pick<ConversationStore, 'listMemberIds'>,
    private readonly connections: ConnectionRegistry,
    private readonly notifier: ConnectionNotifier,
    private readonly offline?: OfflineNotifier,
  ) {}

  /** Answers the ids of the changes that must be retried. */
  async deliver(changes: FanoutChange[]): Promise<string[]> {
    const batch = new BatchCache(this.conversations, this.connections);
    const byConversation = new Map<string, FanoutChange[]>();
    for (const change of changes) {
      const list = byConversation.get(change.conversationId) ?? [];
      list.push(change);
      byConversation.set(change.conversationId, list);
    }
    const failed = await Promise.all(
      [...byConversation.values()].map(async (ordered) => {
        for (const [index, change] of ordered.entries()) {
          try {
            await this.deliverOne(change, batch);
          } catch (error) {
            logger.error('fan-out of a change failed', {
              changeId: change.id,
              conversationId: change.conversationId,
              error,
            });
            return ordered.slice(index).map((skipped) => skipped.id);
          }
        }
        return [];
      }),
    );
    return failed.flat();
  }

  private async deliverOne(change: FanoutChange, batch: BatchCache): Promise<void> {
    const memberIds = await batch.members(change.conversationId);
    const offlineUsers: string[] = [];
    const outcomes = await Promise.allSettled(
      memberIds.map(async (userId) => {
        const open = await batch.connections(userId);
        const delivered = await Promise.all(
          open.map((connection) => this.postOrForget(connection, change, batch)),
        );
        if (!delivered.some(Boolean)) offlineUsers.push(userId);
      }),
    );
    if (change.message && this.offline && offlineUsers.length > 0) {
      await this.offline.notify(offlineUsers, change.message);
    }
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
  }

  /** True when the frame reached the connection; a gone connection is deleted. */
  private async postOrForget(
    connection: ConnectionRecord,
    change: FanoutChange,
    batch: BatchCache,
  ): Promise<boolean> {
    if (batch.isGone(connection.connectionId)) return false;
    const outcome = await this.notifier.post(connection.connectionId, change.event);
    if (outcome === 'delivered') return true;
    batch.markGone(connection.connectionId);
    await this.connections.remove(connection.userId, connection.connectionId);
    logger.info('removed gone connection', {
      userId: connection.userId,
      connectionId: connection.connectionId,
    });
    return false;
  }
}

/** Member lists and connection lists read once per batch. */
class BatchCache {
  private readonly memberLists = new Map<string, Promise<string[]>>();
  private readonly connectionLists = new Map<string, Promise<ConnectionRecord[]>>();
  private readonly gone = new Set<string>();

  constructor(
    private readonly conversations: Pick<ConversationStore, 'listMemberIds'>,
    private readonly registry: ConnectionRegistry,
  ) {}

  members(conversationId: string): Promise<string[]> {
    return this.memo(this.memberLists, conversationId, async () => {
      const direct = directMembers(conversationId);
      return direct ?? this.conversations.listMemberIds(conversationId);
    });
  }

  connections(userId: string): Promise<ConnectionRecord[]> {
    return this.memo(this.connectionLists, userId, () => this.registry.list(userId));
  }

  isGone(connectionId: string): boolean {
    return this.gone.has(connectionId);
  }

  markGone(connectionId: string): void {
    this.gone.add(connectionId);
  }

  private memo<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
    let value = cache.get(key);
    if (!value) {
      value = load();
      value.catch(() => cache.delete(key));
      cache.set(key, value);
    }
    return value;
  }
}
