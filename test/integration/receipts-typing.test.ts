import { randomUUID } from 'node:crypto';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiGatewayConnectionNotifier } from '../../lambdas/adapters/connection-notifier';
import { createTableDependencies, type TableDependencies } from '../../lambdas/adapters/dependencies';
import { directConversationId } from '../../lambdas/domain/conversation-id';
import type { ConnectionNotifier, RateLimit } from '../../lambdas/domain/ports';
import { handleStream } from '../../lambdas/handlers/fanout';
import { handleRequest } from '../../lambdas/handlers/request';
import type { Answer, Conversation, ServerEvent, ServerFrame } from '../../lambdas/shared/protocol';
import { Entity, Keys } from '../../lambdas/shared/table-schema';
import { createTestApp, type TestApp } from '../support/app';
import { readStream, streamEvent } from '../support/stream-records';

type Receipt = Extract<ServerEvent, { type: 'receipt' }>;
type Item = Record<string, unknown>;
interface Post {
  connectionId: string;
  frame: ServerEvent;
}

const decoder = new TextDecoder();
const TYPING_QUOTA: RateLimit = { bucket: 'typing', limit: 3, windowSeconds: 3600 };

const itemKey = (item: Item): string => `${item.pk as string} ${item.sk as string}`;

describe('read receipts and typing', () => {
  let app: TestApp;
  let deps: TableDependencies;
  let management: AwsClientStub<ApiGatewayManagementApiClient>;
  /** Typing notices posted by the request handler, in order. */
  let typingPosts: Post[];
  const now = new Date();
  const conversationId = directConversationId('alice', 'bob');

  /** Sends a frame as `userId` from one of their connections, through the real request handler. */
  const request = async <T extends ServerFrame = ServerFrame>(
    userId: string,
    frame: Record<string, unknown>,
    connectionId = `${userId}-phone`,
  ): Promise<T> => {
    const body = JSON.stringify({ requestId: randomUUID(), ...frame });
    const result = await handleRequest(app.event(userId, body, connectionId), deps);
    return JSON.parse(result.body ?? 'null') as T;
  };

  const connect = (userId: string, connectionId: string) =>
    deps.connections.add({
      userId,
      connectionId,
      deviceId: `${connectionId}-device`,
      connectedAt: now.toISOString(),
    });

  const inbox = async (userId: string, conversation = conversationId): Promise<Item | undefined> =>
    (
      await app.documentClient.send(
        new GetCommand({
          TableName: app.tableName,
          Key: Keys.inbox(userId, conversation),
          ConsistentRead: true,
        }),
      )
    ).Item;

  const send = async (userId: string, count: number, conversation = conversationId) => {
    for (let n = 0; n < count; n++) {
      const ack = await request(userId, {
        action: 'sendMessage',
        conversationId: conversation,
        clientMessageId: randomUUID(),
        body: `m${n}`,
      });
      expect(ack.type).toBe('ack');
    }
  };

  /** Frames the fan-out posted through the (mocked) @connections API, per connection. */
  const posted = (): Map<string, ServerEvent[]> => {
    const byConnection = new Map<string, ServerEvent[]>();
    for (const call of management.commandCalls(PostToConnectionCommand)) {
      const { ConnectionId, Data } = call.args[0].input;
      const frames = byConnection.get(ConnectionId as string) ?? [];
      frames.push(JSON.parse(decoder.decode(Data as Uint8Array)) as ServerEvent);
      byConnection.set(ConnectionId as string, frames);
    }
    return byConnection;
  };

  const receiptsTo = (connectionId: string, conversation = conversationId): Receipt[] =>
    (posted().get(connectionId) ?? []).filter(
      (frame): frame is Receipt => frame.type === 'receipt' && frame.conversationId === conversation,
    );

  /** Runs the whole stream so far through the fan-out, with the mocked @connections API. */
  const fanOutStream = async (): Promise<DynamoDBRecord[]> => {
    const client = new ApiGatewayManagementApiClient({
      endpoint: 'https://example.execute-api.eu-west-1.amazonaws.com/prod',
      region: 'eu-west-1',
    });
    management = mockClient(client);
    management.on(PostToConnectionCommand).resolves({});
    const fanout = createTableDependencies(app.documentClient, app.tableName, {
      notifier: new ApiGatewayConnectionNotifier(client),
    }).fanout;
    const records = await readStream(app.endpoint, app.streamArn);
    const result = await handleStream(streamEvent(records), fanout);
    expect(result.batchItemFailures).toEqual([]);
    return records;
  };

  beforeEach(async () => {
    app = await createTestApp();
    typingPosts = [];
    const notifier: ConnectionNotifier = {
      post: async (connectionId, frame) => {
        typingPosts.push({ connectionId, frame: frame as ServerEvent });
        return 'delivered';
      },
    };
    deps = createTableDependencies(app.documentClient, app.tableName, {
      clock: { now: () => now },
      typingQuota: TYPING_QUOTA,
      notifier,
    });
    expect((await request('alice', { action: 'openDirect', userId: 'bob' })).type).toBe('conversation');
    await Promise.all([
      connect('alice', 'alice-phone'),
      connect('alice', 'alice-laptop'),
      connect('bob', 'bob-phone'),
    ]);
  });

  afterEach(() => {
    app.client.destroy();
  });

  describe('markRead', () => {
    it('ignores a read position that moves backwards', async () => {
      // Prepare
      await send('bob', 5);
      expect(await request('alice', { action: 'markRead', conversationId, seq: 4 })).toMatchObject({
        type: 'ok',
      });

      // Act
      const answer = await request('alice', { action: 'markRead', conversationId, seq: 2 }, 'alice-laptop');

      // Assess
      expect(answer).toMatchObject({ type: 'ok' });
      expect((await inbox('alice'))?.readSeq).toBe(4);
    });

    it('caps a read position beyond the last message at lastSeq', async () => {
      // Prepare
      await send('bob', 3);

      // Act
      const answer = await request('alice', { action: 'markRead', conversationId, seq: 99 });

      // Assess
      expect(answer).toMatchObject({ type: 'ok' });
      expect((await inbox('alice'))?.readSeq).toBe(3);
      expect((await inbox('bob'))?.readSeq).toBe(0);
    });

    it("sends each forward move as a receipt to the reader's other devices and to the other member, never a backward one", async () => {
      // Prepare
      await send('bob', 5);
      await request('alice', { action: 'markRead', conversationId, seq: 3 }, 'alice-phone');
      await request('alice', { action: 'markRead', conversationId, seq: 2 }, 'alice-laptop');
      await request('alice', { action: 'markRead', conversationId, seq: 3 }, 'alice-laptop');
      await request('alice', { action: 'markRead', conversationId, seq: 99 }, 'alice-phone');

      // Act
      await fanOutStream();

      // Assess
      const expected = [3, 5].map((readSeq) => ({
        type: 'receipt',
        conversationId,
        userId: 'alice',
        readSeq,
      }));
      expect(receiptsTo('alice-laptop')).toEqual(expected);
      expect(receiptsTo('bob-phone')).toEqual(expected);
      expect(receiptsTo('alice-phone')).toEqual(expected);
    });

    it('gives every device of a reader the same readSeq and lastSeq, so unread counts agree', async () => {
      // Prepare
      await send('bob', 5);
      await request('alice', { action: 'markRead', conversationId, seq: 3 }, 'alice-laptop');

      // Act
      const views = await Promise.all(
        [
          ['alice', 'alice-phone'],
          ['alice', 'alice-laptop'],
          ['bob', 'bob-phone'],
        ].map(async ([userId, connectionId]) => {
          const answer = await request<Extract<Answer, { type: 'conversations' }>>(
            userId as string,
            { action: 'listConversations' },
            connectionId,
          );
          const conversation = answer.conversations.find((c) => c.conversationId === conversationId);
          return { lastSeq: conversation?.lastSeq, readSeq: conversation?.readSeq };
        }),
      );

      // Assess
      const [phone, laptop, bob] = views;
      expect(phone).toEqual({ lastSeq: 5, readSeq: 3 });
      expect(laptop).toEqual(phone);
      expect(bob).toEqual({ lastSeq: 5, readSeq: 0 });
    });

    it('refuses a non-member with FORBIDDEN and an unknown conversation with NOT_FOUND, storing nothing', async () => {
      // Prepare
      await send('bob', 2);
      const before = await app.scanAll();

      // Act
      const outsider = await request('carol', { action: 'markRead', conversationId, seq: 1 });
      const unknown = await request('alice', {
        action: 'markRead',
        conversationId: directConversationId('alice', 'zed'),
        seq: 1,
      });

      // Assess
      expect(outsider).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
      expect(unknown).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
      expect(await app.scanAll()).toEqual(before);
    });

    it('keeps the read position at the highest seq marked, whatever concurrent devices send, with increasing receipts', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 8 }), fc.boolean()), { minLength: 1, maxLength: 8 }),
          async (marks) => {
            // Prepare: a fresh conversation with 6 messages
            run++;
            const partner = `bob${run}`;
            const conversation = directConversationId('alice', partner);
            await request('alice', { action: 'openDirect', userId: partner });
            await send(partner, 6, conversation);

            // Act: both of alice's devices mark at once
            const answers = await Promise.all(
              marks.map(([seq, laptop]) =>
                request(
                  'alice',
                  { action: 'markRead', conversationId: conversation, seq },
                  laptop ? 'alice-laptop' : 'alice-phone',
                ),
              ),
            );

            // Assess
            for (const answer of answers) expect(answer).toMatchObject({ type: 'ok' });
            const highest = Math.min(6, Math.max(...marks.map(([seq]) => seq)));
            expect((await inbox('alice', conversation))?.readSeq).toBe(highest);
            await fanOutStream();
            const seen = receiptsTo('alice-laptop', conversation).map((receipt) => receipt.readSeq);
            expect(seen).toEqual([...seen].sort((a, b) => a - b));
            expect(new Set(seen).size).toBe(seen.length);
            expect(seen.at(-1) ?? 0).toBe(highest);
            expect(receiptsTo(`${partner}-phone`, conversation)).toEqual([]); // the partner has no connection
          },
        ),
        { numRuns: 10 },
      );
    }, 60_000);
  });

  describe('typing', () => {
    it("is posted to the other member's connections only, and stores nothing but the typist's rate counter", async () => {
      // Prepare
      const before = await app.scanAll();

      // Act
      const answer = await request('alice', { action: 'typing', conversationId });

      // Assess
      expect(answer).toMatchObject({ type: 'ok' });
      expect(typingPosts).toEqual([
        { connectionId: 'bob-phone', frame: { type: 'typing', conversationId, userId: 'alice' } },
      ]);
      const after = await app.scanAll();
      const beforeKeys = new Set(before.map(itemKey));
      const window = Math.floor(now.getTime() / 1000 / TYPING_QUOTA.windowSeconds);
      expect(after.filter((item) => !beforeKeys.has(itemKey(item)))).toEqual([
        {
          ...Keys.rateLimit('alice', `typing#${window}`),
          entity: Entity.rateLimit,
          uses: 1,
          expiresAt: (window + 2) * TYPING_QUOTA.windowSeconds,
        },
      ]);
      expect(after.filter((item) => beforeKeys.has(itemKey(item)))).toEqual(before);
    });

    it('is relayed in a group to every other member, not to the typist', async () => {
      // Prepare
      await connect('carol', 'carol-phone');
      const group = await request<{ type: 'conversation'; conversation: Conversation }>('alice', {
        action: 'createGroup',
        name: 'trio',
        memberIds: ['bob', 'carol'],
      });
      expect(group.type).toBe('conversation');

      // Act
      const answer = await request('carol', {
        action: 'typing',
        conversationId: group.conversation.conversationId,
      });

      // Assess
      expect(answer).toMatchObject({ type: 'ok' });
      const event = { type: 'typing', conversationId: group.conversation.conversationId, userId: 'carol' };
      expect(typingPosts.map((post) => post.connectionId).sort()).toEqual([
        'alice-laptop',
        'alice-phone',
        'bob-phone',
      ]);
      for (const post of typingPosts) expect(post.frame).toEqual(event);
    });

    it('answers RATE_LIMITED over the quota, posts nothing for it and stores nothing more', async () => {
      // Prepare
      for (let n = 0; n < TYPING_QUOTA.limit; n++) {
        expect(await request('alice', { action: 'typing', conversationId })).toMatchObject({ type: 'ok' });
      }
      const before = await app.scanAll();
      const postsBefore = typingPosts.length;

      // Act
      const answer = await request('alice', { action: 'typing', conversationId });

      // Assess
      expect(answer).toMatchObject({ type: 'error', code: 'RATE_LIMITED' });
      expect(postsBefore).toBe(TYPING_QUOTA.limit);
      expect(typingPosts.length).toBe(postsBefore);
      expect(await app.scanAll()).toEqual(before);
      // bob's quota is his own
      expect(await request('bob', { action: 'typing', conversationId })).toMatchObject({ type: 'ok' });
    });

    it('refuses a non-member with FORBIDDEN and an unknown conversation with NOT_FOUND, posting and storing nothing', async () => {
      // Prepare
      await connect('carol', 'carol-phone');
      const before = await app.scanAll();

      // Act
      const outsider = await request('carol', { action: 'typing', conversationId });
      const unknown = await request('alice', {
        action: 'typing',
        conversationId: directConversationId('alice', 'zed'),
      });

      // Assess
      expect(outsider).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
      expect(unknown).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
      expect(typingPosts).toEqual([]);
      expect(await app.scanAll()).toEqual(before);
    });
  });
});
