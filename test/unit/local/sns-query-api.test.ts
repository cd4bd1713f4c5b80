import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreatePlatformApplicationCommand,
  CreatePlatformEndpointCommand,
  DeleteEndpointCommand,
  EndpointDisabledException,
  GetEndpointAttributesCommand,
  InvalidParameterException,
  NotFoundException,
  PublishCommand,
  SetEndpointAttributesCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnsQueryApi } from '../../../local/sns/sns-query-api';
import { SnsStandIn } from '../../../local/sns/sns-stand-in';

describe('the SNS stand-in, through the real SNSClient', () => {
  let server: Server;
  let sns: SnsStandIn;
  let client: SNSClient;
  let applicationArn: string;

  beforeAll(async () => {
    sns = new SnsStandIn({ region: 'us-east-1', accountId: '000000000000' });
    const api = new SnsQueryApi(sns);
    server = createServer((request, response) => void api.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new SNSClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sns`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const created = await client.send(
      new CreatePlatformApplicationCommand({ Name: 'messenger-test', Platform: 'GCM', Attributes: {} }),
    );
    applicationArn = created.PlatformApplicationArn as string;
  });

  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const gcmMessage = (conversationId: string, seq: number) =>
    JSON.stringify({
      default: 'New message',
      GCM: JSON.stringify({ data: { conversationId, seq }, notification: { title: 'New message' } }),
    });

  it('creates an endpoint once per token and records what is published to it, attributed to its user and device', async () => {
    // Prepare
    const customUserData = JSON.stringify({ userId: 'bob', deviceId: 'phone' });
    const { EndpointArn } = await client.send(
      new CreatePlatformEndpointCommand({
        PlatformApplicationArn: applicationArn,
        Token: 'tok-1',
        CustomUserData: customUserData,
      }),
    );
    const again = await client.send(
      new CreatePlatformEndpointCommand({
        PlatformApplicationArn: applicationArn,
        Token: 'tok-1',
        CustomUserData: customUserData,
      }),
    );

    // Act
    const published = await client.send(
      new PublishCommand({
        TargetArn: EndpointArn,
        MessageStructure: 'json',
        Message: gcmMessage('dm:alice:bob', 7),
      }),
    );

    // Assess
    expect(again.EndpointArn).toBe(EndpointArn);
    expect(EndpointArn).toMatch(/^arn:aws:sns:us-east-1:000000000000:endpoint\/GCM\/messenger-test\//);
    expect(published.MessageId).toBeDefined();
    expect(sns.notifications({ userId: 'bob' })).toEqual([
      expect.objectContaining({
        messageId: published.MessageId,
        userId: 'bob',
        deviceId: 'phone',
        conversationId: 'dm:alice:bob',
        seq: 7,
        platform: 'GCM',
        payload: { data: { conversationId: 'dm:alice:bob', seq: 7 }, notification: { title: 'New message' } },
      }),
    ]);
  });

  it('refuses a second endpoint for the same token with other attributes, naming the existing one', async () => {
    // Prepare
    const { EndpointArn } = await client.send(
      new CreatePlatformEndpointCommand({
        PlatformApplicationArn: applicationArn,
        Token: 'tok-2',
        CustomUserData: 'a',
      }),
    );

    // Act
    const attempt = client.send(
      new CreatePlatformEndpointCommand({
        PlatformApplicationArn: applicationArn,
        Token: 'tok-2',
        CustomUserData: 'b',
      }),
    );

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(attempt).rejects.toThrow(EndpointArn as string);
  });

  it('reads and updates endpoint attributes, and refuses publishing to a disabled endpoint', async () => {
    // Prepare
    const { EndpointArn } = await client.send(
      new CreatePlatformEndpointCommand({ PlatformApplicationArn: applicationArn, Token: 'tok-3' }),
    );
    sns.disableEndpoint(EndpointArn as string);

    // Act
    const disabled = await client.send(new GetEndpointAttributesCommand({ EndpointArn }));
    const refused = client.send(new PublishCommand({ TargetArn: EndpointArn, Message: 'hello' }));
    await expect(refused).rejects.toBeInstanceOf(EndpointDisabledException);
    await client.send(
      new SetEndpointAttributesCommand({ EndpointArn, Attributes: { Enabled: 'true', Token: 'tok-3b' } }),
    );
    const enabled = await client.send(new GetEndpointAttributesCommand({ EndpointArn }));

    // Assess
    expect(disabled.Attributes).toEqual({ Enabled: 'false', Token: 'tok-3' });
    expect(enabled.Attributes).toEqual({ Enabled: 'true', Token: 'tok-3b' });
    await expect(
      client.send(new PublishCommand({ TargetArn: EndpointArn, Message: 'hello' })),
    ).resolves.toBeDefined();
  });

  it('deletes endpoints idempotently; a deleted endpoint is not found', async () => {
    // Prepare
    const { EndpointArn } = await client.send(
      new CreatePlatformEndpointCommand({ PlatformApplicationArn: applicationArn, Token: 'tok-4' }),
    );

    // Act
    await client.send(new DeleteEndpointCommand({ EndpointArn }));
    await client.send(new DeleteEndpointCommand({ EndpointArn }));

    // Assess
    await expect(client.send(new GetEndpointAttributesCommand({ EndpointArn }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
    await expect(
      client.send(new PublishCommand({ TargetArn: EndpointArn, Message: 'x' })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it('refuses a JSON message structure without a default entry, as SNS does', async () => {
    // Prepare
    const { EndpointArn } = await client.send(
      new CreatePlatformEndpointCommand({ PlatformApplicationArn: applicationArn, Token: 'tok-5' }),
    );

    // Act
    const attempt = client.send(
      new PublishCommand({
        TargetArn: EndpointArn,
        MessageStructure: 'json',
        Message: JSON.stringify({ GCM: '{}' }),
      }),
    );

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidParameterException);
  });
});
