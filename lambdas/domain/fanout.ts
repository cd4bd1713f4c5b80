import { logger } from '../shared/logger';
import type { Message, PresenceStatus, ServerEvent } from '../shared/protocol';
import { directMembers } from './conversation-id';
import { toConversation } from './conversations';
import type {
  ConnectionNotifier,
  ConnectionRegistry,
  ConversationStore,
  Membership,
  OpenConnection,
  PresenceStore,
} from './ports';

/** One stream record the fan-out acts on, already decoded. `id` is the record's SequenceNumber. */
export type FanoutChange =
  | { id: string; type: 'message'; message: Message }
  | { id: string; type: 'receipt'; conversationId: string; userId: string; readSeq: number }
  | { id: string; type: 'presence'; userId: string; status: PresenceStatus; lastSeen: string | null }
  /** A connection item was deleted (by TTL, or by a clean-up that may not have reached presence). */
  | { id: string; type: 'connection-removed'; userId: string; presenceEntry?: string };

/** Seam for push notifications to members who have no open connection. */
export interface OfflineNotifier {
  notify(userIds: string[], message: Message): Promise<void>;
}

export interface FanoutDependencies {
  conversations: Pick<
    ConversationStore,
    'listMembers' | 'readHeads' | 'readPositions' | 'addToInboxes' | 'recordRemoval' | 'listDirectContacts'
  >;
  connections: ConnectionRegistry;
  presence: Pick<PresenceStore, 'forgetEntry'>;
  notifier: ConnectionNotifier;
  offline?: OfflineNotifier;
}

const MEMBERSHIP_KINDS = new Set(['group_created', 'members_added', 'member_removed']);

/** Changes that must keep their relative order share a key: a conversation, or a user. */
const orderingKey = (change: FanoutChange): string =>
  change.type === 'message'
    ? `C#${change.message.conversationId}`
    : change.type === 'receipt'
      ? `C#${change.conversationId}`
      : `U#${change.userId}`;

/**
 * Delivers events to every open connection of every recipient. At least once: a change whose
 * delivery failed is reported (with the later changes of its ordering key, so order is kept) and
 * retried by the stream; recipients that did get it see a duplicate, which clients drop. A gone
 * connection (410) is deleted and never fails the change.
 */
export class FanoutService {
  constructor(private readonly deps: FanoutDependencies) {}

  /** Answers the ids of the changes that must be retried. */
  async deliver(changes: FanoutChange[]): Promise<string[]> {
    const batch = new BatchCache(this.deps);
    const ordered = new Map<string, FanoutChange[]>();
    for (const change of changes) {
      const key = orderingKey(change);
      ordered.set(key, [...(ordered.get(key) ?? []), change]);
    }
    const failed = await Promise.all(
      [...ordered.values()].map(async (sequence) => {
        for (const [index, change] of sequence.entries()) {
          try {
            await this.deliverOne(change, batch);
          } catch (error) {
            logger.error('fan-out of a change failed', { changeId: change.id, type: change.type, error });
            return sequence.slice(index).map((skipped) => skipped.id);
          }
        }
        return [];
      }),
    );
    return failed.flat();
  }

  private async deliverOne(change: FanoutChange, batch: BatchCache): Promise<void> {
    switch (change.type) {
      case 'message':
        return this.deliverMessage(change.message, batch);
      case 'receipt': {
        const members = await batch.members(change.conversationId);
        const { type: _, id: __, ...fields } = change;
        await this.postToUsers(
          members.map((member) => member.userId),
          { type: 'receipt', ...fields },
          batch,
        );
        return;
      }
      case 'presence': {
        const contacts = await this.deps.conversations.listDirectContacts(change.userId);
        const event: ServerEvent = {
          type: 'presence',
          userId: change.userId,
          status: change.status,
          lastSeen: change.lastSeen,
        };
        await this.postToUsers(contacts, event, batch);
        return;
      }
      case 'connection-removed': {
        const now = new Date().toISOString();
        if (change.presenceEntry)
          await this.deps.presence.forgetEntry(change.userId, change.presenceEntry, now);
        return;
      }
    }
  }

  private async deliverMessage(message: Message, batch: BatchCache): Promise<void> {
    // Members who joined after this message never receive it; removed members receive nothing.
    const recipients = (await batch.members(message.conversationId))
      .filter((member) => member.joinedSeq <= message.seq)
      .map((member) => member.userId);
    const offline = await this.postToUsers(recipients, { type: 'message', message }, batch);
    if (MEMBERSHIP_KINDS.has(message.kind)) await this.announceMembership(message, batch);
    if (message.kind === 'text' && this.deps.offline && offline.length > 0) {
      await this.deps.offline.notify(offline, message);
    }
  }

  /** After a membership change: inbox entries for new members, and a `conversation` event to every member. */
  private async announceMembership(message: Message, batch: BatchCache): Promise<void> {
    const added = Array.isArray(message.data?.memberIds) ? (message.data.memberIds as string[]) : [];
    if (added.length > 0) {
      await this.deps.conversations.addToInboxes(message.conversationId, added, message.seq, message.sentAt);
    }
    const removed = message.data?.userId;
    if (message.kind === 'member_removed' && typeof removed === 'string') {
      await this.deps.conversations.recordRemoval(removed, message.conversationId, message.seq);
    }
    const [head] = await this.deps.conversations.readHeads([message.conversationId]);
    if (!head) return;
    const members = (await batch.members(message.conversationId)).map((member) => member.userId);
    const positions = await this.deps.conversations.readPositions(
      members.map((userId) => ({ conversationId: message.conversationId, userId })),
    );
    const readSeqs = new Map(positions.map((position) => [position.userId, position.readSeq]));
    await Promise.all(
      members.map((userId) => {
        const conversation = toConversation(head, members, readSeqs.get(userId) ?? 0);
        return this.postToUsers([userId], { type: 'conversation', conversation }, batch);
      }),
    );
  }

  /** Posts to every open connection of the users; answers the users with no connection that took it. */
  private async postToUsers(userIds: string[], event: ServerEvent, batch: BatchCache): Promise<string[]> {
    const offline: string[] = [];
    const connections = await batch.connections(userIds);
    const outcomes = await Promise.allSettled(
      userIds.map(async (userId) => {
        const open = connections.get(userId) ?? [];
        const delivered = await Promise.all(
          open.map((connection) => this.postOrForget(connection, event, batch)),
        );
        if (!delivered.some(Boolean)) offline.push(userId);
      }),
    );
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
    return offline;
  }

  /** True when the frame reached the connection; a gone connection is deleted. */
  private async postOrForget(
    connection: OpenConnection,
    event: ServerEvent,
    batch: BatchCache,
  ): Promise<boolean> {
    if (batch.isGone(connection.connectionId)) return false;
    const outcome = await this.deps.notifier.post(connection.connectionId, event);
    if (outcome === 'delivered') return true;
    batch.markGone(connection.connectionId);
    await this.deps.connections.remove(connection.userId, connection.connectionId);
    logger.info('removed gone connection', {
      userId: connection.userId,
      connectionId: connection.connectionId,
    });
    return false;
  }
}

/** Member lists and connection lists read once per batch. */
class BatchCache {
  private readonly memberLists = new Map<string, Promise<Membership[]>>();
  private readonly connectionLists = new Map<string, OpenConnection[]>();
  private readonly gone = new Set<string>();

  constructor(private readonly deps: FanoutDependencies) {}

  members(conversationId: string): Promise<Membership[]> {
    return this.memo(this.memberLists, conversationId, async () => {
      const direct = directMembers(conversationId);
      if (direct) return direct.map((userId) => ({ conversationId, userId, joinedSeq: 0 }));
      return this.deps.conversations.listMembers(conversationId);
    });
  }

  /** Open connections of the users: one batched read of the presence items of those not yet known. */
  async connections(userIds: string[]): Promise<Map<string, OpenConnection[]>> {
    const missing = userIds.filter((userId) => !this.connectionLists.has(userId));
    if (missing.length > 0) {
      for (const [userId, open] of await this.deps.connections.listOpen(missing))
        this.connectionLists.set(userId, open);
    }
    return new Map(userIds.map((userId) => [userId, this.connectionLists.get(userId) ?? []]));
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
