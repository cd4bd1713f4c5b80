import {
  CreatePlatformEndpointCommand,
  DeleteEndpointCommand,
  EndpointDisabledException,
  GetEndpointAttributesCommand,
  InvalidParameterException,
  NotFoundException,
  PublishCommand,
  SetEndpointAttributesCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createPushService, PUSH_OFF, type PushConfig } from '../../lambdas/adapters/push-dependencies';
import type { PushService } from '../../lambdas/domain/push';
import type { PushPlatform } from '../../lambdas/domain/push-ports';
import type { Message } from '../../lambdas/shared/protocol';
import { Keys } from '../../lambdas/shared/table-schema';
import { SnsError, SnsStandIn } from '../../local/sns/sns-stand-in';
import { createTestTable } from '../support/dynamo';

const REGION = 'eu-west-1';
const ACCOUNT = '000000000000';
const APPLICATIONS = {
  APNS: `arn:aws:sns:${REGION}:${ACCOUNT}:app/APNS/messenger`,
  GCM: `arn:aws:sns:${REGION}:${ACCOUNT}:app/GCM/messenger`,
};
const CONFIG: PushConfig = { platformApplications: APPLICATIONS, coalesceSeconds: 30 };
const conversationId = 'dm:alice:bob';

/** The stand-in's errors as the SDK raises them, so the gateway sees what SNS would send. */
const sdkError = (error: unknown): unknown => {
  if (!(error instanceof SnsError)) return error;
  const options = { message: error.message, $metadata: { httpStatusCode: error.statusCode } };
  if (error.code === 'EndpointDisabled') return new EndpointDisabledException(options);
  if (error.code === 'NotFound') return new NotFoundException(options);
  if (error.code === 'InvalidParameter') return new InvalidParameterException(options);
  return error;
};

const viaStandIn = async <T>(operation: () => T): Promise<T> => {
  try {
    return operation();
  } catch (error) {
    throw sdkError(error);
  }
};

const textMessage = (seq: number, body = `message ${seq}`, senderId = 'alice'): Message => ({
  conversationId,
  seq,
  senderId,
  clientMessageId: `c${seq}`,
  body,
  sentAt: new Date(Date.UTC(2030, 0, 1, 0, 0, seq)).toISOString(),
  kind: 'text',
});

describe('push notifications', () => {
  let table: Awaited<ReturnType<typeof createTestTable>>;
  let sns: SnsStandIn;
  let snsClient: SNSClient;
  let snsMock: AwsClientStub<SNSClient>;
  let now: Date;
  /** Answers an error to throw instead of publishing to an endpoint, for faults the stand-in has no rule for. */
  let publishFault: (endpointArn: string) => Error | undefined;
  let push: PushService;

  const pushWith = (config: PushConfig): PushService =>
    createPushService(table.documentClient, table.tableName, snsClient, config, { now: () => now });

  const register = (
    userId: string,
    deviceId: string,
    platform: PushPlatform,
    token: string,
    preview?: boolean,
  ) => push.register(userId, deviceId, platform, token, preview);

  const storedDevice = async (userId: string, deviceId: string) => {
    const { Item } = await table.documentClient.send(
      new GetCommand({
        TableName: table.tableName,
        Key: Keys.pushEndpoint(userId, deviceId),
        ConsistentRead: true,
      }),
    );
    return Item;
  };

  const endpointOf = async (userId: string, deviceId: string): Promise<string> =>
    (await storedDevice(userId, deviceId))?.endpointArn as string;

  const published = () => snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input);

  /** Notifications the stand-in accepted for a user, as `deviceId:seq`. */
  const delivered = (userId: string): string[] =>
    sns.notifications({ userId }).map((notification) => `${notification.deviceId}:${notification.seq}`);

  beforeEach(async () => {
    table = await createTestTable();
    sns = new SnsStandIn({ region: REGION, accountId: ACCOUNT });
    snsClient = new SNSClient({ region: REGION });
    snsMock = mockClient(snsClient);
    publishFault = () => undefined;
    now = new Date('2030-01-01T00:00:00Z');
    snsMock.on(CreatePlatformEndpointCommand).callsFake((input) =>
      viaStandIn(() => ({
        EndpointArn: sns.createPlatformEndpoint(
          input.PlatformApplicationArn,
          input.Token,
          input.CustomUserData,
          input.Attributes,
        ),
      })),
    );
    snsMock
      .on(GetEndpointAttributesCommand)
      .callsFake((input) => viaStandIn(() => ({ Attributes: sns.getEndpointAttributes(input.EndpointArn) })));
    snsMock.on(SetEndpointAttributesCommand).callsFake((input) =>
      viaStandIn(() => {
        sns.setEndpointAttributes(input.EndpointArn, input.Attributes);
        return {};
      }),
    );
    snsMock.on(DeleteEndpointCommand).callsFake((input) =>
      viaStandIn(() => {
        sns.deleteEndpoint(input.EndpointArn);
        return {};
      }),
    );
    snsMock.on(PublishCommand).callsFake((input) =>
      viaStandIn(() => {
        const fault = publishFault(input.TargetArn);
        if (fault) throw fault;
        return {
          MessageId: sns.publish({
            targetArn: input.TargetArn,
            message: input.Message,
            messageStructure: input.MessageStructure,
          }),
        };
      }),
    );
    push = pushWith(CONFIG);
  });

  describe('delivery', () => {
    beforeEach(async () => {
      await register('bob', 'phone', 'APNS', 'bob-phone-token');
      await register('bob', 'tablet', 'GCM', 'bob-tablet-token');
      snsMock.resetHistory();
    });

    it('sends one notification per device per coalescing window, and again once the window passed', async () => {
      // Act
      await Promise.all([1, 2, 3].map((seq) => push.notify(['bob'], textMessage(seq))));
      const afterBurst = published().length;
      now = new Date(now.getTime() + 29_000);
      await push.notify(['bob'], textMessage(4));
      const insideWindow = published().length;
      now = new Date(now.getTime() + 2_000);
      await push.notify(['bob'], textMessage(5));

      // Assess
      expect(afterBurst).toBe(2);
      expect(insideWindow).toBe(2);
      expect(published()).toHaveLength(4);
      const [first, second, third, fourth] = delivered('bob');
      expect([first, second].map((entry) => entry?.split(':')[0]).sort()).toEqual(['phone', 'tablet']);
      expect(first?.split(':')[1]).toBe(second?.split(':')[1]);
      expect([third, fourth].sort()).toEqual(['phone:5', 'tablet:5']);
      for (const input of published()) expect(input.MessageStructure).toBe('json');
    });

    it('coalesces per conversation: another conversation inside the window is notified', async () => {
      // Act
      await push.notify(['bob'], textMessage(1));
      await push.notify(['bob'], { ...textMessage(1), conversationId: 'g:team' });

      // Assess
      expect(published()).toHaveLength(4);
      expect(sns.notifications({ userId: 'bob' }).map((notification) => notification.conversationId)).toEqual(
        [conversationId, conversationId, 'g:team', 'g:team'],
      );
    });

    it('notifies nobody for their own message', async () => {
      // Prepare
      await register('alice', 'laptop', 'GCM', 'alice-token');
      snsMock.resetHistory();

      // Act
      await push.notify(['alice', 'bob'], textMessage(1, 'hi', 'alice'));

      // Assess
      expect(delivered('alice')).toEqual([]);
      expect(delivered('bob').sort()).toEqual(['phone:1', 'tablet:1']);
    });

    it('carries the conversation id and seq and a preview of sender and body on every platform', async () => {
      // Act
      await push.notify(['bob'], textMessage(7, 'Lunch at noon?'));

      // Assess
      const byDevice = new Map(sns.notifications({ userId: 'bob' }).map((n) => [n.deviceId, n]));
      expect(byDevice.get('phone')).toMatchObject({
        platform: 'APNS',
        conversationId,
        seq: 7,
        payload: { aps: { alert: { title: 'alice', body: 'Lunch at noon?' }, 'thread-id': conversationId } },
      });
      expect(byDevice.get('tablet')).toMatchObject({
        platform: 'GCM',
        conversationId,
        seq: 7,
        payload: {
          fcmV1Message: {
            message: {
              notification: { title: 'alice', body: 'Lunch at noon?' },
              data: { conversationId, seq: '7' },
            },
          },
        },
      });
    });

    it('sends the generic text to a device that turned the preview off, and keeps that choice on a token refresh', async () => {
      // Prepare
      await register('bob', 'phone', 'APNS', 'bob-phone-token', false);
      await register('bob', 'phone', 'APNS', 'bob-phone-token-2');

      // Act
      await push.notify(['bob'], textMessage(1, 'the secret plan'));

      // Assess
      const phone = sns.notifications({ userId: 'bob', deviceId: 'phone' });
      expect(phone).toHaveLength(1);
      expect(phone[0]?.payload).toMatchObject({
        aps: { alert: { title: 'Messenger', body: 'New message' } },
      });
      expect(phone[0]?.message).not.toContain('secret');
      const payload = phone[0]?.payload as { aps?: { alert?: unknown } } | undefined;
      expect(JSON.stringify(payload?.aps?.alert)).not.toContain('alice');
      const tablet = sns.notifications({ userId: 'bob', deviceId: 'tablet' });
      expect(tablet[0]?.message).toContain('the secret plan');
    });

    it.each([
      ['disabled by the platform (EndpointDisabled)', (arn: string) => sns.disableEndpoint(arn)],
      ['deleted behind our back (NotFound)', (arn: string) => sns.deleteEndpoint(arn)],
      [
        'refused as a bad target (InvalidParameter)',
        (arn: string) => {
          publishFault = (target) =>
            target === arn
              ? new InvalidParameterException({
                  message:
                    'Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified',
                  $metadata: {},
                })
              : undefined;
        },
      ],
    ])('deletes an endpoint %s while the other device still gets its push', async (_case, breakEndpoint) => {
      // Prepare
      const phoneArn = await endpointOf('bob', 'phone');
      breakEndpoint(phoneArn);

      // Act
      await push.notify(['bob'], textMessage(1));

      // Assess
      expect(delivered('bob')).toEqual(['tablet:1']);
      expect(
        snsMock.commandCalls(DeleteEndpointCommand).map((call) => call.args[0].input.EndpointArn),
      ).toEqual([phoneArn]);
      expect(await storedDevice('bob', 'phone')).toBeUndefined();
      expect(await storedDevice('bob', 'tablet')).toBeDefined();
    });

    it('throws a transient failure and does not notify the devices that got the push again on the retry', async () => {
      // Prepare
      const tabletArn = await endpointOf('bob', 'tablet');
      publishFault = (target) =>
        target === tabletArn
          ? new ThrottledException({ message: 'Rate exceeded', $metadata: {} })
          : undefined;

      // Act
      const first = push.notify(['bob'], textMessage(1));
      await expect(first).rejects.toMatchObject({ name: 'ThrottledException' });
      publishFault = () => undefined;
      await push.notify(['bob'], textMessage(1));

      // Assess
      expect(delivered('bob')).toEqual(['phone:1']);
      expect(await storedDevice('bob', 'tablet')).toBeDefined();
    });

    it('gives the window back when no device got the push, so the retry notifies', async () => {
      // Prepare
      publishFault = () => new ThrottledException({ message: 'Rate exceeded', $metadata: {} });

      // Act
      await expect(push.notify(['bob'], textMessage(1))).rejects.toMatchObject({
        name: 'ThrottledException',
      });
      publishFault = () => undefined;
      await push.notify(['bob'], textMessage(1));

      // Assess
      expect(delivered('bob').sort()).toEqual(['phone:1', 'tablet:1']);
    });

    it('pushes no membership change', async () => {
      // Act
      await push.notify(['bob'], {
        ...textMessage(1),
        kind: 'members_added',
        data: { memberIds: ['bob'] },
      });

      // Assess
      expect(published()).toEqual([]);
    });
  });

  describe('registration', () => {
    it('keeps one endpoint when the same token is registered twice', async () => {
      // Act
      await register('bob', 'phone', 'APNS', 'token-1');
      await register('bob', 'phone', 'APNS', 'token-1');

      // Assess
      expect(snsMock.commandCalls(CreatePlatformEndpointCommand)).toHaveLength(1);
      expect(snsMock.commandCalls(SetEndpointAttributesCommand)).toHaveLength(0);
      expect(sns.endpoints()).toHaveLength(1);
      expect(await storedDevice('bob', 'phone')).toMatchObject({
        platform: 'APNS',
        token: 'token-1',
        endpointArn: sns.endpoints()[0]?.endpointArn,
        preview: true,
      });
    });

    it('updates the endpoint with a changed token and enables it', async () => {
      // Prepare
      await register('bob', 'phone', 'APNS', 'token-1');
      const arn = await endpointOf('bob', 'phone');

      // Act
      await register('bob', 'phone', 'APNS', 'token-2');

      // Assess
      const updates = snsMock.commandCalls(SetEndpointAttributesCommand).map((call) => call.args[0].input);
      expect(updates).toEqual([
        { EndpointArn: arn, Attributes: expect.objectContaining({ Token: 'token-2', Enabled: 'true' }) },
      ]);
      expect(snsMock.commandCalls(CreatePlatformEndpointCommand)).toHaveLength(1);
      expect(sns.endpoints()).toHaveLength(1);
      expect(await storedDevice('bob', 'phone')).toMatchObject({ token: 'token-2', endpointArn: arn });
    });

    it('re-enables a disabled endpoint', async () => {
      // Prepare
      await register('bob', 'phone', 'APNS', 'token-1');
      const arn = await endpointOf('bob', 'phone');
      sns.disableEndpoint(arn);

      // Act
      await register('bob', 'phone', 'APNS', 'token-1');
      await push.notify(['bob'], textMessage(1));

      // Assess
      const updates = snsMock.commandCalls(SetEndpointAttributesCommand).map((call) => call.args[0].input);
      expect(updates).toEqual([
        { EndpointArn: arn, Attributes: expect.objectContaining({ Enabled: 'true' }) },
      ]);
      expect(sns.getEndpointAttributes(arn).Enabled).toBe('true');
      expect(delivered('bob')).toEqual(['phone:1']);
    });

    it('creates the endpoint again when SNS no longer has it', async () => {
      // Prepare
      await register('bob', 'phone', 'APNS', 'token-1');
      const gone = await endpointOf('bob', 'phone');
      sns.deleteEndpoint(gone);

      // Act
      await register('bob', 'phone', 'APNS', 'token-1');

      // Assess
      const arn = await endpointOf('bob', 'phone');
      expect(arn).not.toBe(gone);
      expect(sns.endpoints().map((endpoint) => endpoint.endpointArn)).toEqual([arn]);
      expect(snsMock.commandCalls(CreatePlatformEndpointCommand)).toHaveLength(2);
    });

    it('takes over the endpoint named by "already exists with the same Token" and drops its previous owner', async () => {
      // Prepare
      await register('bob', 'phone', 'APNS', 'shared-token');
      const arn = await endpointOf('bob', 'phone');

      // Act
      await register('carol', 'phone-2', 'APNS', 'shared-token');
      await push.notify(['bob', 'carol'], textMessage(1, 'hello', 'alice'));

      // Assess
      const creates = snsMock.commandCalls(CreatePlatformEndpointCommand);
      expect(creates).toHaveLength(2);
      await expect(creates[1]?.returnValue).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: expect.stringContaining('already exists with the same Token, but different attributes'),
      });
      expect(sns.endpoints()).toHaveLength(1);
      expect(await endpointOf('carol', 'phone-2')).toBe(arn);
      expect(JSON.parse(sns.getEndpointAttributes(arn).CustomUserData ?? '')).toEqual({
        userId: 'carol',
        deviceId: 'phone-2',
      });
      expect(await storedDevice('bob', 'phone')).toBeUndefined();
      expect(delivered('carol')).toEqual(['phone-2:1']);
      expect(delivered('bob')).toEqual([]);
    });

    it('replaces the endpoint of a device that moved to another platform', async () => {
      // Prepare
      await register('bob', 'phone', 'APNS', 'apns-token');
      const old = await endpointOf('bob', 'phone');

      // Act
      await register('bob', 'phone', 'GCM', 'fcm-token');

      // Assess
      const arn = await endpointOf('bob', 'phone');
      expect(
        snsMock.commandCalls(DeleteEndpointCommand).map((call) => call.args[0].input.EndpointArn),
      ).toEqual([old]);
      expect(sns.endpoints().map((endpoint) => [endpoint.endpointArn, endpoint.platform])).toEqual([
        [arn, 'GCM'],
      ]);
    });

    it('stores the token without an endpoint and publishes nothing when push is off', async () => {
      // Prepare
      push = pushWith(PUSH_OFF);

      // Act
      await register('bob', 'phone', 'APNS', 'token-1');
      await push.notify(['bob'], textMessage(1));

      // Assess
      const stored = await storedDevice('bob', 'phone');
      expect(stored).toMatchObject({ userId: 'bob', deviceId: 'phone', platform: 'APNS', token: 'token-1' });
      expect(stored?.endpointArn).toBeUndefined();
      expect(snsMock.calls()).toHaveLength(0);
    });
  });
});
