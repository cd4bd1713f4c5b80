import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DIRECT_PREFIX, directMembers } from '../domain/conversation-id';
import type {
  ConversationAccess,
  ConversationHead,
  ConversationStore,
  InboxEntry,
  Membership,
  ReadPosition,
} from '../domain/ports';
import { Entity, Keys } from '../shared/table-schema';
import { consistentBatchGet, consistentGetEach } from './batch-get';
import { headItem, type Item, inboxItem, memberItem, toHead, toMembership } from './items';
import { queryAll } from './query-all';

/** Conversation heads, memberships and users' inbox entries in DynamoDB. */
export class DynamoConversationStore implements ConversationStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readAccess(conversationId: string, userId: string): Promise<ConversationAccess> {
    const [head, member, inbox] = await consistentGetEach(this.client, this.tableName, [
      Keys.head(conversationId),
      Keys.member(conversationId, userId),
      Keys.inbox(userId, conversationId),
    ]);
    return {
      ...(head ? { head: toHead(head) } : {}),
      ...(member ? { membership: toMembership(member) } : {}),
      readSeq: (inbox?.readSeq as number | undefined) ?? 0,
    };
  }

  async createDirect(conversationId: string, members: [string, string], now: string): Promise<boolean> {
    const head: ConversationHead = {
      conversationId,
      kind: 'direct',
      lastSeq: 0,
      createdAt: now,
      lastActivityAt: now,
    };
    const put = (item: Item, condition?: string) => ({
      Put: {
        TableName: this.tableName,
        Item: item,
        ...(condition ? { ConditionExpression: condition } : {}),
      },
    });
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            put(headItem(head), 'attribute_not_exists(pk)'),
            ...members.flatMap((userId) => [
              put(memberItem({ conversationId, userId, joinedSeq: 0 }, now), 'attribute_not_exists(pk)'),
              put(inboxItem(userId, conversationId, now), 'attribute_not_exists(pk)'),
            ]),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        return false;
      }
      throw error;
    }
  }

  async listInbox(userId: string): Promise<InboxEntry[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': Keys.userPk(userId), ':prefix': Keys.inboxPrefix },
      ConsistentRead: true,
    });
    return items.map((item) => ({
      conversationId: item.conversationId as string,
      readSeq: (item.readSeq as number | undefined) ?? 0,
      ...(typeof item.removedSeq === 'number' ? { removedSeq: item.removedSeq } : {}),
    }));
  }

  async readHeads(conversationIds: string[]): Promise<ConversationHead[]> {
    const items = await consistentBatchGet(this.client, this.tableName, conversationIds.map(Keys.head));
    return items.map(toHead);
  }

  async listMembers(conversationId: string): Promise<Membership[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: 'attribute_not_exists(removedSeq)',
      ExpressionAttributeValues: { ':pk': Keys.conversationPk(conversationId), ':prefix': Keys.memberPrefix },
      ConsistentRead: true,
    });
    return items.map(toMembership);
  }

  async readMemberships(conversationId: string, userIds: string[]): Promise<Membership[]> {
    const keys = userIds.map((userId) => Keys.member(conversationId, userId));
    return (await consistentBatchGet(this.client, this.tableName, keys)).map(toMembership);
  }

  async addToInboxes(
    conversationId: string,
    userIds: string[],
    joinedSeq: number,
    now: string,
  ): Promise<void> {
    // Applies only a newer join than the entry knows, so a late repair never undoes a later removal.
    await Promise.all(
      userIds.map((userId) =>
        this.ignoreConditionFailure(
          new UpdateCommand({
            TableName: this.tableName,
            Key: Keys.inbox(userId, conversationId),
            UpdateExpression:
              'SET entity = :entity, userId = :user, conversationId = :conversation, joinedAt = :now, joinedSeq = :joined, readSeq = :floor REMOVE removedSeq',
            ConditionExpression: 'attribute_not_exists(joinedSeq) OR joinedSeq < :joined',
            ExpressionAttributeValues: {
              ':entity': Entity.inbox,
              ':user': userId,
              ':conversation': conversationId,
              ':now': now,
              ':joined': joinedSeq,
              ':floor': Math.max(0, joinedSeq - 1),
            },
          }),
        ),
      ),
    );
  }

  async recordRemoval(userId: string, conversationId: string, removedSeq: number): Promise<void> {
    await this.ignoreConditionFailure(
      new UpdateCommand({
        TableName: this.tableName,
        Key: Keys.inbox(userId, conversationId),
        UpdateExpression: 'SET removedSeq = :removed',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(joinedSeq) OR joinedSeq < :removed)',
        ExpressionAttributeValues: { ':removed': removedSeq },
      }),
    );
  }

  private async ignoreConditionFailure(command: UpdateCommand): Promise<void> {
    try {
      await this.client.send(command);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async advanceReadSeq(userId: string, conversationId: string, seq: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: Keys.inbox(userId, conversationId),
          UpdateExpression: 'SET readSeq = :seq',
          ConditionExpression: 'attribute_exists(pk) AND readSeq < :seq',
          ExpressionAttributeValues: { ':seq': seq },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async readPositions(pairs: { conversationId: string; userId: string }[]): Promise<ReadPosition[]> {
    if (pairs.length === 0) return [];
    const keys = pairs.map(({ conversationId, userId }) => Keys.inbox(userId, conversationId));
    const items = await consistentBatchGet(this.client, this.tableName, keys);
    return items.map((item) => ({
      conversationId: item.conversationId as string,
      userId: item.userId as string,
      readSeq: (item.readSeq as number | undefined) ?? 0,
    }));
  }

  async listDirectContacts(userId: string): Promise<string[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': Keys.userPk(userId),
        ':prefix': `${Keys.inboxPrefix}${DIRECT_PREFIX}`,
      },
      ProjectionExpression: 'conversationId',
      ConsistentRead: true,
    });
    return items.flatMap((item) => {
      const members = directMembers(item.conversationId as string);
      const other = members?.find((member) => member !== userId);
      return other ? [other] : [];
    });
  }
}
