import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { fullJitterDelay, sleep } from '../domain/backoff';
import type { ConnectionRecord, ConnectionRegistry, OpenConnection } from '../domain/ports';
import { CONNECTION_TTL_SECONDS, Entity, Keys } from '../shared/table-schema';
import { connectionItem, toConnection } from './items';
import { DynamoPresenceStore, presenceEntry } from './presence-store';
import { queryAll } from './query-all';

/**
 * Open WebSocket connections, stored per user (`U#<userId>` / `K#<connectionId>`) with a TTL, and
 * mirrored in the user's presence item (a string set of `<expiresAt>#<connectionId>` entries): a set
 * makes every add and remove idempotent, so concurrent connects, disconnects, 410 clean-ups and
 * stream replays never leave it wrong.
 */
const CONFLICT_ATTEMPTS = 4;

export class DynamoConnectionRegistry implements ConnectionRegistry {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly presence: DynamoPresenceStore = new DynamoPresenceStore(client, tableName),
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  async add(connection: ConnectionRecord, cap = Number.MAX_SAFE_INTEGER): Promise<boolean> {
    const expiresAt = Math.floor(Date.parse(connection.connectedAt) / 1000) + CONNECTION_TTL_SECONDS;
    const entry = presenceEntry(expiresAt, connection.connectionId);
    const command = new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: this.tableName,
            Item: { ...connectionItem(connection, expiresAt), presenceEntry: entry },
          },
        },
        {
          Update: {
            TableName: this.tableName,
            Key: Keys.presence(connection.userId),
            UpdateExpression:
              'ADD connectionEntries :entry SET entity = :entity, userId = :user, lastSeen = :now',
            ConditionExpression: 'attribute_not_exists(connectionEntries) OR size(connectionEntries) < :cap',
            ExpressionAttributeValues: {
              ':entry': new Set([entry]),
              ':entity': Entity.presence,
              ':user': connection.userId,
              ':now': connection.connectedAt,
              ':cap': cap,
            },
          },
        },
      ],
    });
    // Devices of one user connecting at the same instant conflict on the presence item: retry those.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(command);
        return true;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code);
        if (codes[1] === 'ConditionalCheckFailed') return false;
        if (!codes.includes('TransactionConflict') || attempt >= CONFLICT_ATTEMPTS) throw error;
        await sleep(fullJitterDelay({ maxAttempts: CONFLICT_ATTEMPTS, baseMs: 10, capMs: 200 }, attempt));
      }
    }
  }

  async remove(userId: string, connectionId: string): Promise<void> {
    const { Attributes: old } = await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: Keys.connection(userId, connectionId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    // Without the old item the entry is unknown; the stream's REMOVE record of the item forgets it then.
    if (typeof old?.presenceEntry === 'string') {
      await this.presence.forgetEntry(userId, old.presenceEntry, new Date().toISOString());
    }
  }

  async listOpen(userIds: string[]): Promise<Map<string, OpenConnection[]>> {
    const now = this.nowSeconds();
    const open = new Map<string, OpenConnection[]>(userIds.map((userId) => [userId, []]));
    if (userIds.length === 0) return open;
    for (const record of await this.presence.read([...new Set(userIds)])) {
      const ids = Object.entries(record.connections).filter(([, expiresAt]) => expiresAt > now);
      open.set(
        record.userId,
        ids.map(([connectionId]) => ({ userId: record.userId, connectionId })),
      );
    }
    return open;
  }

  async list(userId: string): Promise<ConnectionRecord[]> {
    // TTL deletion lags expiry, so expired items are filtered out here.
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: 'expiresAt > :now',
      ExpressionAttributeValues: {
        ':pk': Keys.userPk(userId),
        ':prefix': Keys.connectionPrefix,
        ':now': this.nowSeconds(),
      },
      ConsistentRead: true,
    });
    return items.map(toConnection);
  }
}
