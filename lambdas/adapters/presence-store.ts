import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PresenceRecord, PresenceStore } from '../domain/ports';
import { Keys } from '../shared/table-schema';
import { consistentBatchGet } from './batch-get';
import type { Item } from './items';

/** One element of a presence item's `connectionEntries` set. */
export const presenceEntry = (expiresAt: number, connectionId: string): string =>
  `${expiresAt}#${connectionId}`;

export const parseEntries = (entries: unknown): Record<string, number> => {
  const connections: Record<string, number> = {};
  if (!(entries instanceof Set)) return connections;
  for (const entry of entries as Set<string>) {
    const at = entry.indexOf('#');
    connections[entry.slice(at + 1)] = Number(entry.slice(0, at));
  }
  return connections;
};

export const toPresenceRecord = (item: Item): PresenceRecord => ({
  userId: item.userId as string,
  connections: parseEntries(item.connectionEntries),
  lastSeen: (item.lastSeen as string | undefined) ?? null,
});

/** Per-user presence items (`U#<userId>` / `PRESENCE`). */
export class DynamoPresenceStore implements PresenceStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read(userIds: string[]): Promise<PresenceRecord[]> {
    const items = await consistentBatchGet(this.client, this.tableName, userIds.map(Keys.presence));
    return items.map(toPresenceRecord);
  }

  /** Removes one entry; a no-op (no write, no stream record) when it is not there. */
  async forgetEntry(userId: string, entry: string, now: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: Keys.presence(userId),
          UpdateExpression: 'DELETE connectionEntries :entry SET lastSeen = :now',
          ConditionExpression: 'contains(connectionEntries, :member)',
          ExpressionAttributeValues: { ':entry': new Set([entry]), ':member': entry, ':now': now },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
