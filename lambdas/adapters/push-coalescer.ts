import { DeleteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PushCoalescer } from '../domain/push-ports';
import { Entity, Keys } from '../shared/table-schema';

/** Kept a little past the window; expiry only tidies, the condition on lastPushAt decides. */
const TTL_MARGIN_SECONDS = 60;

/**
 * Coalescing windows of push notifications, one item per offline user and conversation
 * (`U#<userId>` / `N#<conversationId>`): `lastPushAt` in epoch milliseconds, moved by a conditional
 * update, so concurrent fan-outs of a burst take the window exactly once.
 */
export class DynamoPushCoalescer implements PushCoalescer {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(userId: string, conversationId: string, windowSeconds: number, now: Date): Promise<boolean> {
    const nowMs = now.getTime();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: Keys.pushCoalesce(userId, conversationId),
          UpdateExpression: 'SET lastPushAt = :now, entity = :entity, expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(lastPushAt) OR lastPushAt <= :cutoff',
          ExpressionAttributeValues: {
            ':now': nowMs,
            ':cutoff': nowMs - windowSeconds * 1000,
            ':entity': Entity.pushCoalesce,
            ':expiresAt': Math.ceil(nowMs / 1000) + windowSeconds + TTL_MARGIN_SECONDS,
          },
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async release(userId: string, conversationId: string, claimedAt: Date): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: Keys.pushCoalesce(userId, conversationId),
          ConditionExpression: 'lastPushAt = :claimedAt',
          ExpressionAttributeValues: { ':claimedAt': claimedAt.getTime() },
        }),
      );
    } catch (error) {
      // Someone else claimed the window since: theirs stands.
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return;
      throw error;
    }
  }
}
