import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { PushDevice, PushEndpointStore, PushPlatform } from '../domain/push-ports';
import { Entity, Keys } from '../shared/table-schema';
import type { Item } from './items';
import { queryAll } from './query-all';

const pushEndpointItem = (device: PushDevice): Item => ({
  ...Keys.pushEndpoint(device.userId, device.deviceId),
  entity: Entity.pushEndpoint,
  userId: device.userId,
  deviceId: device.deviceId,
  platform: device.platform,
  token: device.token,
  ...(device.endpointArn === undefined ? {} : { endpointArn: device.endpointArn }),
  preview: device.preview,
  updatedAt: device.updatedAt,
});

const toPushDevice = (item: Item): PushDevice => ({
  userId: item.userId as string,
  deviceId: item.deviceId as string,
  platform: item.platform as PushPlatform,
  token: item.token as string,
  ...(item.endpointArn === undefined ? {} : { endpointArn: item.endpointArn as string }),
  preview: item.preview !== false,
  updatedAt: item.updatedAt as string,
});

/** Registered push devices, stored per user (`U#<userId>` / `P#<deviceId>`). */
export class DynamoPushEndpointStore implements PushEndpointStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(userId: string, deviceId: string): Promise<PushDevice | undefined> {
    const { Item: item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: Keys.pushEndpoint(userId, deviceId),
        ConsistentRead: true,
      }),
    );
    return item ? toPushDevice(item) : undefined;
  }

  async list(userId: string): Promise<PushDevice[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': Keys.userPk(userId), ':prefix': Keys.pushEndpointPrefix },
      ConsistentRead: true,
    });
    return items.map(toPushDevice);
  }

  async put(device: PushDevice): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: pushEndpointItem(device) }));
  }

  async remove(
    userId: string,
    deviceId: string,
    expected: { endpointArn: string; updatedAt?: string },
  ): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: Keys.pushEndpoint(userId, deviceId),
          ConditionExpression:
            expected.updatedAt === undefined
              ? 'endpointArn = :arn'
              : 'endpointArn = :arn AND updatedAt = :updatedAt',
          ExpressionAttributeValues: {
            ':arn': expected.endpointArn,
            ...(expected.updatedAt === undefined ? {} : { ':updatedAt': expected.updatedAt }),
          },
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
