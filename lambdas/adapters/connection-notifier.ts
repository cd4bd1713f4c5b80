import {
  type ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionNotifier, DeliveryOutcome } from '../domain/ports';

const encoder = new TextEncoder();

/** Posts frames to WebSocket connections through the stage's @connections API. */
export class ApiGatewayConnectionNotifier implements ConnectionNotifier {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async post(connectionId: string, frame: unknown): Promise<DeliveryOutcome> {
    try {
      await this.client.send(
        new PostToConnectionCommand({
          ConnectionId: connectionId,
          Data: encoder.encode(JSON.stringify(frame)),
        }),
      );
      return 'delivered';
    } catch (error) {
      if ((error as { name?: string }).name === 'GoneException') return 'gone';
      throw error;
    }
  }
}
