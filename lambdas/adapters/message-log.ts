import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AppendOutcome, MembershipChange, MessageLog, RateLimit, SendState } from '../domain/ports';
import { LIMITS, type Message } from '../shared/protocol';
import { DEDUPE_TTL_SECONDS, Entity, Keys, MAX_SEQ, padSeq } from '../shared/table-schema';
import { consistentGetEach } from './batch-get';
import { headItem, type Item, memberItem, messageItem, toHead, toMembership, toMessage } from './items';
import { quotaUpdate } from './rate-limiter';

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/** What each item of a transaction stands for, to read its cancellation reason. */
type Role = 'head' | 'actor' | 'message' | 'dedupe' | 'quota' | 'added' | 'removed';

const ACTIVE_MEMBER = 'attribute_exists(pk) AND attribute_not_exists(removedSeq)';

/** The per-conversation message log in DynamoDB: sequencing by one conditional transaction. */
export class DynamoMessageLog implements MessageLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readSendState(conversationId: string, senderId: string, clientMessageId: string): Promise<SendState> {
    const [head, member, dedupe] = await consistentGetEach(this.client, this.tableName, [
      Keys.head(conversationId),
      Keys.member(conversationId, senderId),
      Keys.dedupe(conversationId, senderId, clientMessageId),
    ]);
    return {
      ...(head ? { head: toHead(head) } : {}),
      ...(member ? { membership: toMembership(member) } : {}),
      ...(dedupe ? { existing: { seq: dedupe.seq as number, sentAt: dedupe.sentAt as string } } : {}),
    };
  }

  append(expectedLastSeq: number, message: Message, quota?: RateLimit): Promise<AppendOutcome> {
    const { conversationId, senderId, clientMessageId } = message;
    const expiresAt = Math.floor(Date.parse(message.sentAt) / 1000) + DEDUPE_TTL_SECONDS;
    const items: [Role, TransactItem][] = [
      ['head', this.moveHead(expectedLastSeq, message)],
      ['actor', this.checkActive(conversationId, senderId)],
      ['message', this.putMessage(message)],
      [
        'dedupe',
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...Keys.dedupe(conversationId, senderId, clientMessageId),
              entity: Entity.dedupe,
              seq: message.seq,
              sentAt: message.sentAt,
              expiresAt,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
    ];
    if (quota) {
      items.push([
        'quota',
        { Update: { TableName: this.tableName, ...quotaUpdate(senderId, quota, new Date(message.sentAt)) } },
      ]);
    }
    return this.commit(items);
  }

  appendMembershipChange(
    expectedLastSeq: number,
    message: Message,
    change: MembershipChange,
  ): Promise<AppendOutcome> {
    const { conversationId, seq, sentAt } = message;
    const delta = change.added.length - (change.removed ? 1 : 0);
    const items: [Role, TransactItem][] = [];
    if (change.create) {
      const head = headItem({
        conversationId,
        kind: 'group',
        name: change.create.name,
        lastSeq: seq,
        createdAt: sentAt,
        lastActivityAt: sentAt,
        createdBy: change.create.createdBy,
        memberCount: change.added.length,
      });
      items.push([
        'head',
        { Put: { TableName: this.tableName, Item: head, ConditionExpression: 'attribute_not_exists(pk)' } },
      ]);
    } else {
      items.push(['head', this.moveHead(expectedLastSeq, message, delta)]);
      if (change.actorId !== change.removed)
        items.push(['actor', this.checkActive(conversationId, change.actorId)]);
    }
    items.push(['message', this.putMessage(message)]);
    for (const userId of change.added) {
      items.push([
        'added',
        {
          Put: {
            TableName: this.tableName,
            Item: memberItem({ conversationId, userId, joinedSeq: seq }, sentAt),
            ConditionExpression: 'attribute_not_exists(pk) OR attribute_exists(removedSeq)',
          },
        },
      ]);
    }
    if (change.removed) {
      items.push([
        'removed',
        {
          Update: {
            TableName: this.tableName,
            Key: Keys.member(conversationId, change.removed),
            UpdateExpression: 'SET removedSeq = :seq, removedAt = :now',
            ConditionExpression: ACTIVE_MEMBER,
            ExpressionAttributeValues: { ':seq': seq, ':now': sentAt },
          },
        },
      ]);
    }
    return this.commit(items);
  }

  async readAfter(
    conversationId: string,
    afterSeq: number,
    limit: number,
    upToSeq = MAX_SEQ,
  ): Promise<Message[]> {
    const to = Math.min(upToSeq, MAX_SEQ);
    if (afterSeq >= to) return [];
    return this.query(conversationId, afterSeq + 1, to, limit, true);
  }

  async readBefore(
    conversationId: string,
    beforeSeq: number,
    limit: number,
    fromSeq = 1,
  ): Promise<Message[]> {
    const from = Math.max(fromSeq, 1);
    const to = Math.min(beforeSeq - 1, MAX_SEQ);
    if (to < from) return [];
    return (await this.query(conversationId, from, to, limit, false)).reverse();
  }

  private async query(conversationId: string, from: number, to: number, limit: number, ascending: boolean) {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': Keys.conversationPk(conversationId),
          ':from': `${Keys.messagePrefix}${padSeq(from)}`,
          ':to': `${Keys.messagePrefix}${padSeq(to)}`,
        },
        ScanIndexForward: ascending,
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return ((result.Items ?? []) as Item[]).map(toMessage);
  }

  private moveHead(expectedLastSeq: number, message: Message, memberDelta = 0): TransactItem {
    const growing = memberDelta > 0;
    return {
      Update: {
        TableName: this.tableName,
        Key: Keys.head(message.conversationId),
        UpdateExpression: `SET lastSeq = :next, lastActivityAt = :now${memberDelta ? ' ADD memberCount :delta' : ''}`,
        ConditionExpression: `lastSeq = :expected${growing ? ' AND memberCount <= :room' : ''}`,
        ExpressionAttributeValues: {
          ':next': message.seq,
          ':now': message.sentAt,
          ':expected': expectedLastSeq,
          ...(memberDelta ? { ':delta': memberDelta } : {}),
          ...(growing ? { ':room': LIMITS.groupMembers - memberDelta } : {}),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  }

  private checkActive(conversationId: string, userId: string): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.tableName,
        Key: Keys.member(conversationId, userId),
        ConditionExpression: ACTIVE_MEMBER,
      },
    };
  }

  private putMessage(message: Message): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: messageItem(message),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private async commit(items: [Role, TransactItem][]): Promise<AppendOutcome> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items.map(([, item]) => item) }));
      return { kind: 'appended' };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failedRoles = new Set(
        items.filter((_, index) => reasons[index]?.Code === 'ConditionalCheckFailed').map(([role]) => role),
      );
      if (failedRoles.has('dedupe')) return { kind: 'duplicate' };
      if (failedRoles.has('actor') || failedRoles.has('removed')) return { kind: 'not-member' };
      if (failedRoles.has('quota')) return { kind: 'rate-limited' };
      if (failedRoles.has('added')) return { kind: 'seq-taken' };
      const headIndex = items.findIndex(([role]) => role === 'head');
      const current = reasons[headIndex]?.Item?.lastSeq?.N;
      // A conflicting transaction, or a head that moved: either way, try again.
      return current === undefined ? { kind: 'seq-taken' } : { kind: 'seq-taken', lastSeq: Number(current) };
    }
  }
}
