import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../lambdas/shared/protocol';
import { Keys } from '../../lambdas/shared/table-schema';
import { eventually } from './support/eventually';
import { type LocalStack, startLocalStack } from './support/local-stack';

describe('a connection lost without $disconnect', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers the next fan-out with 410, and the fan-out deletes its connection record', async () => {
    // Prepare
    const alice = await stack.connect('alice', 'laptop');
    const bob = await stack.connect('bob', 'phone');
    const { conversation } = await alice.request<{ conversation: Conversation }>({
      action: 'openDirect',
      userId: 'bob',
    });
    const bobConnection = stack.runtime.gateway.connections
      .all()
      .find((connection) => connection.authorizer?.userId === 'bob');
    const key = Keys.connection('bob', bobConnection?.connectionId as string);
    const record = () =>
      stack.db.send(new GetCommand({ TableName: stack.runtime.tableName, Key: key, ConsistentRead: true }));
    expect((await record()).Item).toBeDefined();

    // Act
    stack.runtime.gateway.drop(bobConnection?.connectionId as string, { disconnect: false });
    await bob.closed;
    const goneBefore = stack.runtime.gateway.managementStats.gone;
    await alice.request({
      action: 'sendMessage',
      conversationId: conversation.conversationId,
      clientMessageId: 'c1',
      body: 'are you there?',
    });

    // Assess
    await eventually(async () => expect((await record()).Item).toBeUndefined());
    expect(stack.runtime.gateway.managementStats.gone).toBeGreaterThan(goneBefore);
  });
});
