import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateLimit, RateLimiter } from '../domain/ports';
import { Entity, Keys } from '../shared/table-schema';

/** The conditional update that counts one use of a fixed-window quota (also used inside transactions). */
export const quotaUpdate = (userId: string, quota: RateLimit, now: Date) => {
  const window = Math.floor(now.getTime() / 1000 / quota.windowSeconds);
  return {
    Key: Keys.rateLimit(userId, `${quota.bucket}#${window}`),
    UpdateExpression: 'ADD uses :one SET entity = :entity, expiresAt = :expires',
    ConditionExpression: 'attribute_not_exists(uses) OR uses < :limit',
    ExpressionAttributeValues: {
      ':one': 1,
      ':limit': quota.limit,
      ':entity': Entity.rateLimit,
      ':expires': (window + 2) * quota.windowSeconds,
    },
  };
};

/** Per-user fixed-window counters in the table, expired by TTL. */
export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async consume(userId: string, quota: RateLimit, now: Date): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({ TableName: this.tableName, ...quotaUpdate(userId, quota, now) }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
