import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AppendOutcome, MessageLog, SendState } from '../domain/ports';
import type { Message } from '../shared/protocol';
import { DEDUPE_TTL_SECONDS, Entity, Keys, MAX_SEQ, padSeq } from '../shared/table-schema';
import { consistentBatchGet, keyOf, keyString } from './batch-get';
import { type Item, messageItem, toHead, toMembership, toMessage } from './items';

/** The per-conversation message log in DynamoDB: sequencing by one conditional transaction. */
export class DynamoMessageLog implements MessageLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readSendState(conversationId: string, senderId: string, clientMessageId: string): Promise<SendState> {
    const headKey = Keys.head(conversationId);
    const memberKey = Keys.member(conversationId, senderId);
    const dedupeKey = Keys.dedupe(conversationId, senderId, clientMessageId);
    const items = await consistentBatchGet(this.client, this.tableName, [headKey, memberKey, dedupeKey]);
    const byKey = new Map(items.map((item) => [keyOf(item), item]));
    const head = byKey.get(keyString(headKey));
    const member = byKey.get(keyString(memberKey));
    const dedupe = byKey.get(keyString(dedupeKey));
    return {
      ...(head ? { head: toHead(head) } : {}),
      ...(member ? { membership: toMembership(member) } : {}),
      ...(dedupe ? { existing: { seq: dedupe.seq as number, sentAt: dedupe.sentAt as string } } : {}),
    };
  }

  async append(expectedLastSeq: number, message: Message): Promise<AppendOutcome> {
    const { conversationId, senderId, clientMessageId } = message;
    const expiresAt = Math.floor(Date.parse(message.sentAt) / 1000) + DEDUPE_TTL_SECONDS;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: Keys.head(conversationId),
                UpdateExpression: 'SET lastSeq = :next, lastActivityAt = :now',
                ConditionExpression: 'lastSeq = :expected',
                ExpressionAttributeValues: {
                  ':next': message.seq,
                  ':now': message.sentAt,
                  ':expected': expectedLastSeq,
                },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: Keys.member(conversationId, senderId),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: messageItem(message),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
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
        }),
      );
      return { kind: 'appended' };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = (index: number) => reasons[index]?.Code === 'ConditionalCheckFailed';
      if (failed(3)) return { kind: 'duplicate' };
      if (failed(1)) return { kind: 'not-member' };
      const current = reasons[0]?.Item?.lastSeq?.N;
      // Conflicts with a concurrent transaction, or a head that moved: either way, try again.
      return current === undefined ? { kind: 'seq-taken' } : { kind: 'seq-taken', lastSeq: Number(current) };
    }
  }

  async readAfter(conversationId: string, afterSeq: number, limit: number): Promise<Message[]> {
    if (afterSeq >= MAX_SEQ) return [];
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': Keys.conversationPk(conversationId),
          ':from': `${Keys.messagePrefix}${padSeq(afterSeq + 1)}`,
          ':to': `${Keys.messagePrefix}${padSeq(MAX_SEQ)}`,
        },
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return ((result.Items ?? []) as Item[]).map(toMessage);
  }

  async readBefore(conversationId: string, beforeSeq: number, limit: number): Promise<Message[]> {
    if (beforeSeq <= 1) return [];
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': Keys.conversationPk(conversationId),
          ':from': `${Keys.messagePrefix}${padSeq(1)}`,
          ':to': `${Keys.messagePrefix}${padSeq(Math.min(beforeSeq - 1, MAX_SEQ))}`,
        },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return ((result.Items ?? []) as Item[]).map(toMessage).reverse();
  }
}
