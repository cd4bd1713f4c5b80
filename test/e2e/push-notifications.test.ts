import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../lambdas/shared/protocol';
import { eventually } from './support/eventually';
import { type LocalStack, startLocalStack } from './support/local-stack';

describe('push notifications through the SNS stand-in', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('records a notification per device of an offline member, with conversationId, seq and deviceId', async () => {
    // Prepare
    const bob = await stack.connect('bob', 'phone');
    const registered = await bob.request({
      action: 'registerPush',
      platform: 'GCM',
      token: 'fcm-token-bob-phone',
    });
    expect(registered).toMatchObject({ type: 'ok' });
    await bob.close();
    await eventually(() => expect(stack.runtime.gateway.connections.size).toBe(0));
    const alice = await stack.connect('alice', 'laptop');
    const { conversation } = await alice.request<{ conversation: Conversation }>({
      action: 'openDirect',
      userId: 'bob',
    });

    // Act
    const ack = await alice.request<{ seq: number }>({
      action: 'sendMessage',
      conversationId: conversation.conversationId,
      clientMessageId: 'c1',
      body: 'are you there?',
    });

    // Assess
    const [notification] = await eventually(async () => {
      const notifications = await stack.pushes('bob');
      expect(notifications).toHaveLength(1);
      return notifications;
    });
    expect(notification).toMatchObject({
      userId: 'bob',
      deviceId: 'phone',
      platform: 'GCM',
      conversationId: conversation.conversationId,
      seq: ack.seq,
    });
    expect(await stack.pushes('alice')).toEqual([]);
    await alice.close();
  });

  it('refuses to publish to an endpoint the platform disabled, and the push code forgets it', async () => {
    // Prepare
    const carol = await stack.connect('carol', 'tablet');
    await carol.request({ action: 'registerPush', platform: 'APNS', token: 'apns-token-carol' });
    await carol.close();
    const disabled = await fetch(`${stack.runtime.url}/dev/push/disable`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'carol' }),
    });
    expect(disabled.status).toBe(200);
    const alice = await stack.connect('alice', 'laptop');
    const { conversation } = await alice.request<{ conversation: Conversation }>({
      action: 'openDirect',
      userId: 'carol',
    });

    // Act
    await alice.request({
      action: 'sendMessage',
      conversationId: conversation.conversationId,
      clientMessageId: 'c1',
      body: 'hello carol',
    });

    // Assess
    await eventually(() =>
      expect(
        stack.runtime.sns.endpoints().filter((endpoint) => endpoint.attributes.Token === 'apns-token-carol'),
      ).toEqual([]),
    );
    expect(await stack.pushes('carol')).toEqual([]);
    await alice.close();
  });
});
