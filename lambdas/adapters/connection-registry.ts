import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ConnectionRecord, ConnectionRegistry } from '../domain/ports';
import { CONNECTION_TTL_SECONDS, Keys } from '../shared/table-schema';
import { connectionItem, toConnection } from './items';
import { queryAll } from './query-all';

/** Open WebSocket connections, stored per user (`U#<userId>` / `K#<connectionId>`) with a TTL. */
export class DynamoConnectionRegistry implements ConnectionRegistry {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  async add(connection: ConnectionRecord): Promise<void> {
    const expiresAt = Math.floor(Date.parse(connection.connectedAt) / 1000) + CONNECTION_TTL_SECONDS;
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: connectionItem(connection, expiresAt) }),
    );
  }

  async remove(userId: string, connectionId: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: Keys.connection(userId, connectionId) }),
    );
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
