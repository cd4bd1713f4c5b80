import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../lambdas/shared/protocol';
import { eventually } from './support/eventually';
import { type LocalStack, startLocalStack } from './support/local-stack';

/** Connects, registers a push token for the device, and disconnects: the user is then offline. */
const registerOffline = async (stack: LocalStack, userId: string, deviceId: string) => {
  const socket = await stack.connect(userId, deviceId);
  expect(
    await socket.request({ action: 'registerPush', platform: 'GCM', token: `fcm-${userId}-${deviceId}` }),
  ).toMatchObject({
    type: 'ok',
  });
  await socket.close();
};

describe('who gets a push', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('pushes to each device of an offline member, to nobody online, and to nobody who left the group', async () => {
    // Prepare: bob offline with two devices; carol online with a registered device; erin left, offline
    await registerOffline(stack, 'bob', 'phone');
    await registerOffline(stack, 'bob', 'tablet');
    await registerOffline(stack, 'erin', 'phone');
    const carol = await stack.connect('carol', 'laptop');
    await carol.request({ action: 'registerPush', platform: 'GCM', token: 'fcm-carol-laptop' });
    const alice = await stack.connect('alice', 'laptop');
    const { conversation } = await alice.request<{ conversation: Conversation }>({
      action: 'createGroup',
      name: 'Weekend',
      memberIds: ['bob', 'carol', 'erin'],
    });
    const erin = await stack.connect('erin', 'phone');
    await erin.request({
      action: 'removeMember',
      conversationId: conversation.conversationId,
      userId: 'erin',
    });
    await erin.close();
    await eventually(() => expect(stack.runtime.gateway.connections.size).toBe(2));

    // Act
    const ack = await alice.request<{ seq: number }>({
      action: 'sendMessage',
      conversationId: conversation.conversationId,
      clientMessageId: 'weekend-1',
      body: 'who is in?',
    });

    // Assess: carol got the message in real time, bob a push on each device, within the same fan-out
    await carol.waitFor((frame) => (frame as { message?: Message }).message?.seq === ack.seq);
    const bobs = await eventually(async () => {
      const notifications = await stack.pushes('bob');
      expect(notifications).toHaveLength(2);
      return notifications;
    });
    expect(bobs.map((notification) => notification.deviceId).sort()).toEqual(['phone', 'tablet']);
    expect(bobs.every((notification) => notification.seq === ack.seq)).toBe(true);
    expect(await stack.pushes('carol')).toEqual([]);
    expect(await stack.pushes('erin')).toEqual([]);
    expect(await stack.pushes('alice')).toEqual([]);
    await Promise.all([alice.close(), carol.close()]);
  });
});
