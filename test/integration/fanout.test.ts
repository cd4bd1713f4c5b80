import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBRecord } from 'aws-lambda';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiGatewayConnectionNotifier } from '../../lambdas/adapters/connection-notifier';
import { directConversationId } from '../../lambdas/domain/conversation-id';
import { FanoutService } from '../../lambdas/domain/fanout';
import { handleStream } from '../../lambdas/handlers/fanout';
import type { ServerEvent } from '../../lambdas/shared/protocol';
import { Entity } from '../../lambdas/shared/table-schema';
import { createTestApp, type TestApp } from '../support/app';
import { readStream, streamEvent } from '../support/stream-records';

const decoder = new TextDecoder();

describe('stream fan-out', () => {
  let app: TestApp;
  let management: AwsClientStub<ApiGatewayManagementApiClient>;
  let fanout: FanoutService;
  const conversationId = directConversationId('alice', 'bob');

  /** Frames posted, per connection, in order. */
  const posted = (): Map<string, ServerEvent[]> => {
    const byConnection = new Map<string, ServerEvent[]>();
    for (const call of management.commandCalls(PostToConnectionCommand)) {
      const { ConnectionId, Data } = call.args[0].input;
      if (!ConnectionId || !Data) continue;
      const frames = byConnection.get(ConnectionId) ?? [];
      frames.push(JSON.parse(decoder.decode(Data as Uint8Array)) as ServerEvent);
      byConnection.set(ConnectionId, frames);
    }
    return byConnection;
  };

  const seqsPosted = (connectionId: string): number[] =>
    (posted().get(connectionId) ?? []).map((event) => (event.type === 'message' ? event.message.seq : -1));

  const connect = (userId: string, connectionId: string) =>
    app.deps.connections.add({
      userId,
      connectionId,
      deviceId: `${connectionId}-device`,
      connectedAt: new Date().toISOString(),
    });

  const messageRecords = async (): Promise<DynamoDBRecord[]> =>
    (await readStream(app.endpoint, app.streamArn)).filter(
      (record) => record.eventName === 'INSERT' && record.dynamodb?.NewImage?.entity?.S === Entity.message,
    );

  const send = async (userId: string, count: number, prefix: string) => {
    for (let n = 0; n < count; n++) {
      await app.request(userId, {
        action: 'sendMessage',
        conversationId,
        clientMessageId: `${prefix}${n}`,
        body: `b${n}`,
      });
    }
  };

  beforeEach(async () => {
    app = await createTestApp();
    const client = new ApiGatewayManagementApiClient({
      endpoint: 'https://example.execute-api.eu-west-1.amazonaws.com/prod',
      region: 'eu-west-1',
    });
    management = mockClient(client);
    management.on(PostToConnectionCommand).resolves({});
    fanout = new FanoutService({
      conversations: app.deps.store,
      connections: app.deps.connections,
      presence: app.deps.presenceStore,
      notifier: new ApiGatewayConnectionNotifier(client),
    });
    await app.request('alice', { action: 'openDirect', userId: 'bob' });
    await Promise.all([
      connect('alice', 'alice-phone'),
      connect('alice', 'alice-laptop'),
      connect('bob', 'bob-phone'),
    ]);
  });

  it('posts every message to every open connection of every member, in seq order', async () => {
    // Prepare
    await send('alice', 5, 'a');
    const records = await messageRecords();

    // Act
    const result = await handleStream(streamEvent(records), fanout);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    for (const connectionId of ['alice-phone', 'alice-laptop', 'bob-phone']) {
      expect(seqsPosted(connectionId)).toEqual([1, 2, 3, 4, 5]);
    }
    expect(posted().get('bob-phone')?.[0]).toMatchObject({
      type: 'message',
      message: { conversationId, seq: 1, senderId: 'alice', clientMessageId: 'a0', body: 'b0', kind: 'text' },
    });
  });

  it('posts duplicates on a replayed batch, but never loses or reorders', async () => {
    // Prepare
    await send('bob', 4, 'b');
    const records = await messageRecords();

    // Act: the stream hands over the same batch twice (at-least-once), then a batch overlapping it
    await handleStream(streamEvent(records), fanout);
    await handleStream(streamEvent(records), fanout);
    await handleStream(streamEvent(records.slice(2)), fanout);

    // Assess
    const seqs = seqsPosted('alice-phone');
    expect(seqs).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 3, 4]);
    const firstSeen = [...new Set(seqs)];
    expect(firstSeen).toEqual([1, 2, 3, 4]);
  });

  it('deletes a gone connection (410) and only that one, without failing the record', async () => {
    // Prepare
    management
      .on(PostToConnectionCommand, { ConnectionId: 'alice-laptop' })
      .rejects(new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } }));
    await send('bob', 2, 'g');
    const records = await messageRecords();

    // Act
    const result = await handleStream(streamEvent(records), fanout);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect((await app.deps.connections.list('alice')).map((c) => c.connectionId)).toEqual(['alice-phone']);
    expect((await app.deps.connections.list('bob')).map((c) => c.connectionId)).toEqual(['bob-phone']);
    expect(seqsPosted('alice-phone')).toEqual([1, 2]);
    expect(seqsPosted('bob-phone')).toEqual([1, 2]);
    expect(seqsPosted('alice-laptop')).toEqual([1]);
  });

  it('reports a failing delivery per record, with the later records of its conversation, while others are delivered', async () => {
    // Prepare: bob's phone fails transiently on seq 2 only
    let failures = 0;
    management.on(PostToConnectionCommand).callsFake((input: { ConnectionId: string; Data: Uint8Array }) => {
      const event = JSON.parse(decoder.decode(input.Data)) as ServerEvent;
      if (input.ConnectionId === 'bob-phone' && event.type === 'message' && event.message.seq === 2) {
        failures++;
        throw Object.assign(new Error('Internal server error'), {
          name: 'InternalServerErrorException',
          $metadata: { httpStatusCode: 500 },
        });
      }
      return {};
    });
    await send('alice', 3, 'f');
    const records = await messageRecords();

    // Act
    const result = await handleStream(streamEvent(records), fanout);

    // Assess
    const ids = records.map((record) => record.dynamodb?.SequenceNumber);
    expect(failures).toBe(1);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: ids[1] }, { itemIdentifier: ids[2] }]);
    expect(seqsPosted('alice-phone')).toEqual([1, 2]);
    expect(seqsPosted('bob-phone')).toEqual([1, 2]); // the attempt at 2 failed
    expect(seqsPosted('alice-laptop')).toEqual([1, 2]); // 3 waits for the retry, to keep the order
  });

  it('reports an undecodable record as a failure and still delivers the rest', async () => {
    // Prepare
    await send('alice', 2, 'p');
    const [first, second] = await messageRecords();
    if (!first?.dynamodb || !second) throw new Error('expected two records');
    const poison: DynamoDBRecord = {
      ...first,
      dynamodb: {
        ...first.dynamodb,
        SequenceNumber: '1',
        NewImage: { entity: { S: 'message' }, seq: { BOOL: true } } as never,
      },
    };

    // Act
    const result = await handleStream(streamEvent([poison, second]), fanout);

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '1' }]);
    expect(seqsPosted('bob-phone')).toEqual([2]);
  });

  it('skips connections whose TTL has passed but DynamoDB has not yet deleted', async () => {
    // Prepare
    await app.deps.connections.add({
      userId: 'bob',
      connectionId: 'bob-stale',
      deviceId: 'old',
      connectedAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
    });
    await send('alice', 1, 's');

    // Act
    await handleStream(streamEvent(await messageRecords()), fanout);

    // Assess
    expect(posted().has('bob-stale')).toBe(false);
    expect(seqsPosted('bob-phone')).toEqual([1]);
  });
});
