import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ConversationAccess, ConversationHead, ConversationStore, InboxEntry } from '../domain/ports';
import { Keys } from '../shared/table-schema';
import { consistentBatchGet, keyOf, keyString } from './batch-get';
import { headItem, type Item, inboxItem, memberItem, toHead, toMembership } from './items';
import { queryAll } from './query-all';

/** Conversation heads, memberships and users' inbox entries in DynamoDB. */
export class DynamoConversationStore implements ConversationStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readAccess(conversationId: string, userId: string): Promise<ConversationAccess> {
    const headKey = Keys.head(conversationId);
    const memberKey = Keys.member(conversationId, userId);
    const inboxKey = Keys.inbox(userId, conversationId);
    const items = await consistentBatchGet(this.client, this.tableName, [headKey, memberKey, inboxKey]);
    const byKey = new Map(items.map((item) => [keyOf(item), item]));
    const head = byKey.get(keyString(headKey));
    const member = byKey.get(keyString(memberKey));
    const inbox = byKey.get(keyString(inboxKey));
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
    }));
  }

  async readHeads(conversationIds: string[]): Promise<ConversationHead[]> {
    const items = await consistentBatchGet(this.client, this.tableName, conversationIds.map(Keys.head));
    return items.map(toHead);
  }

  async listMemberIds(conversationId: string): Promise<string[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': Keys.conversationPk(conversationId), ':prefix': Keys.memberPrefix },
      ProjectionExpression: 'userId',
      ConsistentRead: true,
    });
    return items.map((item) => item.userId as string);
  }
}
