import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiGatewayConnectionNotifier } from '../../lambdas/adapters/connection-notifier';
import { createTableDependencies, type DependencyOptions } from '../../lambdas/adapters/dependencies';
import { directConversationId } from '../../lambdas/domain/conversation-id';
import type { ConnectionNotifier } from '../../lambdas/domain/ports';
import { handleConnect } from '../../lambdas/handlers/connect';
import { handleDisconnect } from '../../lambdas/handlers/disconnect';
import { handleStream } from '../../lambdas/handlers/fanout';
import { handleRequest } from '../../lambdas/handlers/request';
import type { WebSocketEvent } from '../../lambdas/handlers/websocket-event';
import type { Answer, ErrorFrame, Presence, ServerEvent, ServerFrame } from '../../lambdas/shared/protocol';
import { CONNECTION_TTL_SECONDS, Entity, Keys } from '../../lambdas/shared/table-schema';
import { createTestApp, type TestApp } from '../support/app';
import { injectFaults, recordCommands } from '../support/command-recorder';
import { readStream, streamEvent } from '../support/stream-records';

type PresenceAnswer = Extract<Answer, { type: 'presence' }>;
type PresenceEvent = Extract<ServerEvent, { type: 'presence' }>;
interface Post {
  connectionId: string;
  frame: ServerEvent;
}

const decoder = new TextDecoder();

/** A notifier that records every post and reaches every connection. */
const recordingNotifier = (): ConnectionNotifier & { posts: Post[] } => {
  const posts: Post[] = [];
  return {
    posts,
    post: async (connectionId, frame) => {
      posts.push({ connectionId, frame: frame as ServerEvent });
      return 'delivered';
    },
  };
};

const lifecycleEvent = (
  routeKey: '$connect' | '$disconnect',
  userId: string,
  connectionId: string,
  connectedAt = Date.now(),
): WebSocketEvent => ({
  requestContext: {
    routeKey,
    eventType: routeKey === '$connect' ? 'CONNECT' : 'DISCONNECT',
    connectionId,
    connectedAt,
    requestId: `${routeKey}-${connectionId}`,
    authorizer: { principalId: userId, userId, deviceId: `device-${connectionId}` },
  },
});

const connectAs = (deps: TestApp['deps'], userId: string, connectionId: string, connectedAt?: number) =>
  handleConnect(lifecycleEvent('$connect', userId, connectionId, connectedAt), deps);

const disconnectAs = (deps: TestApp['deps'], userId: string, connectionId: string) =>
  handleDisconnect(lifecycleEvent('$disconnect', userId, connectionId), deps);

/** Presence of the users as `asker` sees it through the request handler. */
const presenceOf = async (app: TestApp, userIds: string[], asker = 'bob'): Promise<Presence[]> => {
  const answer = await app.request<PresenceAnswer | ErrorFrame>(asker, { action: 'getPresence', userIds });
  if (answer.type !== 'presence') throw new Error(`getPresence failed: ${JSON.stringify(answer)}`);
  return answer.users;
};

const presenceItem = async (app: TestApp, userId: string) =>
  (
    await app.documentClient.send(
      new GetCommand({ TableName: app.tableName, Key: Keys.presence(userId), ConsistentRead: true }),
    )
  ).Item;

const entriesOf = (item: Record<string, unknown> | undefined): string[] =>
  item?.connectionEntries instanceof Set ? [...(item.connectionEntries as Set<string>)].sort() : [];

const connectionIdsOf = async (app: TestApp, userId: string): Promise<string[]> =>
  (await app.scanAll())
    .filter((item) => item.entity === Entity.connection && item.userId === userId)
    .map((item) => item.connectionId as string)
    .sort();

/** The stream records of one user's presence item, in stream order. */
const presenceRecords = (records: DynamoDBRecord[], userId: string): DynamoDBRecord[] =>
  records.filter(
    (record) =>
      (record.dynamodb?.NewImage ?? record.dynamodb?.OldImage)?.pk?.S === Keys.userPk(userId) &&
      (record.dynamodb?.NewImage ?? record.dynamodb?.OldImage)?.sk?.S === 'PRESENCE',
  );

const imageEntries = (image: Record<string, { SS?: string[] }> | undefined): string[] =>
  [...(image?.connectionEntries?.SS ?? [])].sort();

const connectionOf = (entry: string): string => entry.slice(entry.indexOf('#') + 1);

const presenceEventsFor = (posts: Post[], connectionId: string, userId: string): PresenceEvent[] =>
  posts
    .filter((post) => post.connectionId === connectionId)
    .map((post) => post.frame)
    .filter((frame): frame is PresenceEvent => frame.type === 'presence' && frame.userId === userId);

/** Records not yet seen, in stream order. */
const newRecords = (records: DynamoDBRecord[], seen: Set<string>): DynamoDBRecord[] =>
  records.filter((record) => !seen.has(record.dynamodb?.SequenceNumber as string));

describe('presence', () => {
  const apps: TestApp[] = [];
  const freshApp = async (options?: DependencyOptions) => {
    const app = await createTestApp();
    apps.push(app);
    const deps = options ? createTableDependencies(app.documentClient, app.tableName, options) : app.deps;
    // bob shares a direct conversation with alice and has one device online
    await app.request('alice', { action: 'openDirect', userId: 'bob' });
    expect((await connectAs(deps, 'bob', 'bob-phone')).statusCode).toBe(200);
    return { app, deps };
  };

  afterEach(() => {
    for (const app of apps.splice(0)) app.client.destroy();
  });

  it('ends offline with an empty set after three devices connect and disconnect concurrently in any order, and a direct contact sees one online and one offline event per online period', async () => {
    // Each schedule is an order of 6 operations, where the first occurrence of a device is its
    // connect and the second its disconnect; `waits[i]` makes operation i+1 start only after every
    // operation started so far has finished. A disconnect always waits for its own connect.
    const schedules = fc.record({
      order: fc.shuffledSubarray([0, 0, 1, 1, 2, 2], { minLength: 6, maxLength: 6 }),
      waits: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    });

    await fc.assert(
      fc.asyncProperty(schedules, async ({ order, waits }) => {
        // Prepare
        const { app, deps } = await freshApp();
        const connectionIds = ['alice-a', 'alice-b', 'alice-c'];
        const connected = new Map<number, Promise<unknown>>();
        const started: Promise<unknown>[] = [];

        // Act
        for (const [index, device] of order.entries()) {
          const connectionId = connectionIds[device] as string;
          const connect = connected.get(device);
          const operation = connect
            ? connect.then(() => disconnectAs(deps, 'alice', connectionId))
            : connectAs(deps, 'alice', connectionId);
          if (!connect) connected.set(device, operation);
          started.push(operation);
          if (waits[index]) await Promise.all(started);
        }
        const outcomes = await Promise.all(started);

        // Assess: every handler succeeded, and alice is offline with nothing left
        for (const outcome of outcomes) expect(outcome).toEqual({ statusCode: 200 });
        expect(await presenceOf(app, ['alice'])).toEqual([
          { userId: 'alice', status: 'offline', lastSeen: expect.any(String) },
        ]);
        expect(entriesOf(await presenceItem(app, 'alice'))).toEqual([]);
        expect(await connectionIdsOf(app, 'alice')).toEqual([]);

        // Assess: replaying the presence item's records, each adds or removes exactly one entry, and
        // the set after each write is exactly the connections open at that point
        const records = await readStream(app.endpoint, app.streamArn);
        const open = new Set<string>();
        const opened = new Set<string>();
        let periods = 0;
        for (const record of presenceRecords(records, 'alice')) {
          const before = imageEntries(record.dynamodb?.OldImage as never);
          const after = imageEntries(record.dynamodb?.NewImage as never);
          const added = after.filter((entry) => !before.includes(entry)).map(connectionOf);
          const removed = before.filter((entry) => !after.includes(entry)).map(connectionOf);
          expect(added.length + removed.length).toBe(1);
          for (const connectionId of added) {
            expect(opened.has(connectionId)).toBe(false);
            opened.add(connectionId);
            if (open.size === 0) periods++;
            open.add(connectionId);
          }
          for (const connectionId of removed) {
            expect(open.has(connectionId)).toBe(true);
            open.delete(connectionId);
          }
          expect(after.map(connectionOf).sort()).toEqual([...open].sort());
        }
        expect([...opened].sort()).toEqual(connectionIds);
        expect(open.size).toBe(0);
        expect(periods).toBeGreaterThanOrEqual(1);
        if (waits.every(Boolean)) {
          // Fully sequential: the periods follow from the schedule alone
          let count = 0;
          let expected = 0;
          const seen = new Set<number>();
          for (const device of order) {
            if (seen.has(device)) count--;
            else {
              if (count === 0) expected++;
              count++;
              seen.add(device);
            }
          }
          expect(periods).toBe(expected);
        }

        // Act: the whole stream through the fan-out, with bob's phone open
        const notifier = recordingNotifier();
        const fanoutDeps = createTableDependencies(app.documentClient, app.tableName, { notifier });
        const result = await handleStream(streamEvent(records), fanoutDeps.fanout);

        // Assess: bob saw online, offline, online, offline, ... once per period, with lastSeen
        expect(result.batchItemFailures).toEqual([]);
        const seenByBob = presenceEventsFor(notifier.posts, 'bob-phone', 'alice');
        expect(seenByBob.map((event) => event.status)).toEqual(
          Array.from({ length: periods }, () => ['online', 'offline']).flat(),
        );
        for (const event of seenByBob) expect(event.lastSeen).toEqual(expect.any(String));
        // nobody but bob's phone got alice's presence (alice herself has no direct contact with herself)
        expect(
          notifier.posts.filter(
            (post) =>
              post.frame.type === 'presence' &&
              post.frame.userId === 'alice' &&
              post.connectionId !== 'bob-phone',
          ),
        ).toEqual([]);
        app.client.destroy();
        apps.splice(apps.indexOf(app), 1);
      }),
      { numRuns: 15 },
    );
  }, 60_000);

  it('flips a socket that died without $disconnect to offline once the fan-out sees its 410', async () => {
    // Prepare
    const { app, deps } = await freshApp();
    expect((await connectAs(deps, 'alice', 'alice-dead')).statusCode).toBe(200);
    expect((await presenceOf(app, ['alice']))[0]?.status).toBe('online');
    const client = new ApiGatewayManagementApiClient({
      endpoint: 'https://example.execute-api.eu-west-1.amazonaws.com/prod',
      region: 'eu-west-1',
    });
    const management = mockClient(client);
    management.on(PostToConnectionCommand).resolves({});
    management
      .on(PostToConnectionCommand, { ConnectionId: 'alice-dead' })
      .rejects(new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } }));
    const fanout = createTableDependencies(app.documentClient, app.tableName, {
      notifier: new ApiGatewayConnectionNotifier(client),
    }).fanout;
    const sent = await app.request('bob', {
      action: 'sendMessage',
      conversationId: directConversationId('alice', 'bob'),
      clientMessageId: 'm1',
      body: 'still there?',
    });
    expect(sent.type).toBe('ack');
    const firstBatch = await readStream(app.endpoint, app.streamArn);
    const seen = new Set(firstBatch.map((record) => record.dynamodb?.SequenceNumber as string));

    // Act: the message's fan-out meets the 410
    const first = await handleStream(streamEvent(firstBatch), fanout);

    // Assess: the connection and its presence entry are gone, and alice reads as offline
    expect(first.batchItemFailures).toEqual([]);
    expect(await connectionIdsOf(app, 'alice')).toEqual([]);
    const item = await presenceItem(app, 'alice');
    expect(entriesOf(item)).toEqual([]);
    expect(await presenceOf(app, ['alice'])).toEqual([
      { userId: 'alice', status: 'offline', lastSeen: item?.lastSeen },
    ]);

    // Act: the records that clean-up wrote reach the fan-out
    const secondBatch = newRecords(await readStream(app.endpoint, app.streamArn), seen);
    for (const record of secondBatch) seen.add(record.dynamodb?.SequenceNumber as string);
    management.resetHistory();
    const second = await handleStream(streamEvent(secondBatch), fanout);

    // Assess: bob's phone gets exactly one offline event for alice, and the connection's REMOVE
    // record (already forgotten) writes nothing more
    expect(second.batchItemFailures).toEqual([]);
    const frames = management.commandCalls(PostToConnectionCommand).map((call) => ({
      connectionId: call.args[0].input.ConnectionId,
      frame: JSON.parse(decoder.decode(call.args[0].input.Data as Uint8Array)) as ServerFrame,
    }));
    expect(frames).toEqual([
      {
        connectionId: 'bob-phone',
        frame: { type: 'presence', userId: 'alice', status: 'offline', lastSeen: item?.lastSeen },
      },
    ]);
    expect(newRecords(await readStream(app.endpoint, app.streamArn), seen)).toEqual([]);
  });

  it('does not count a connection past its TTL as online, and forgets its entry when TTL deletes the item', async () => {
    // Prepare: a connection opened 3 hours ago (API Gateway would have closed it after 2)
    const { app, deps } = await freshApp();
    const threeHoursAgo = Date.now() - 3 * 3600_000;
    expect((await connectAs(deps, 'alice', 'alice-stale', threeHoursAgo)).statusCode).toBe(200);
    const staleEntry = `${Math.floor(threeHoursAgo / 1000) + CONNECTION_TTL_SECONDS}#alice-stale`;
    expect(entriesOf(await presenceItem(app, 'alice'))).toEqual([staleEntry]);

    // Act / Assess: the expired entry alone does not make alice online; a fresh one does
    expect((await presenceOf(app, ['alice']))[0]?.status).toBe('offline');
    expect((await connectAs(deps, 'alice', 'alice-fresh')).statusCode).toBe(200);
    expect((await presenceOf(app, ['alice']))[0]?.status).toBe('online');
    expect((await disconnectAs(deps, 'alice', 'alice-fresh')).statusCode).toBe(200);
    expect((await presenceOf(app, ['alice']))[0]?.status).toBe('offline');
    expect(entriesOf(await presenceItem(app, 'alice'))).toEqual([staleEntry]);

    // Prepare: TTL deletes the connection item, without touching presence
    const seen = new Set(
      (await readStream(app.endpoint, app.streamArn)).map(
        (record) => record.dynamodb?.SequenceNumber as string,
      ),
    );
    await app.documentClient.send(
      new DeleteCommand({ TableName: app.tableName, Key: Keys.connection('alice', 'alice-stale') }),
    );
    const removal = newRecords(await readStream(app.endpoint, app.streamArn), seen);
    expect(removal.map((record) => record.eventName)).toEqual(['REMOVE']);
    for (const record of removal) seen.add(record.dynamodb?.SequenceNumber as string);

    // Act
    const notifier = recordingNotifier();
    const fanout = createTableDependencies(app.documentClient, app.tableName, { notifier }).fanout;
    const result = await handleStream(streamEvent(removal), fanout);

    // Assess: the entry is forgotten; the presence write that did it is an offline transition
    expect(result.batchItemFailures).toEqual([]);
    expect(entriesOf(await presenceItem(app, 'alice'))).toEqual([]);
    const after = newRecords(await readStream(app.endpoint, app.streamArn), seen);
    expect(presenceRecords(after, 'alice')).toHaveLength(1);
    await handleStream(streamEvent(after), fanout);
    expect(presenceEventsFor(notifier.posts, 'bob-phone', 'alice').map((event) => event.status)).toEqual([
      'offline',
    ]);

    // Act / Assess: a replay of the REMOVE record changes nothing
    const replayed = await handleStream(streamEvent(removal), fanout);
    expect(replayed.batchItemFailures).toEqual([]);
    expect(newRecords(await readStream(app.endpoint, app.streamArn), seen).length).toBe(after.length);
  });

  it('heals a disconnect whose presence update failed, through the REMOVE record of its connection item', async () => {
    // Prepare: the presence update of the disconnect fails once (e.g. a transaction conflict)
    const { app, deps } = await freshApp();
    expect((await connectAs(deps, 'alice', 'alice-1')).statusCode).toBe(200);
    let armed = true;
    injectFaults(app.client, {
      before: (name, input) => {
        const key = input.Key as { sk?: unknown } | undefined;
        if (!armed || name !== 'UpdateItemCommand' || key?.sk !== 'PRESENCE') return undefined;
        armed = false;
        return new TransactionConflictException({ message: 'Transaction is ongoing', $metadata: {} });
      },
    });
    const seen = new Set(
      (await readStream(app.endpoint, app.streamArn)).map(
        (record) => record.dynamodb?.SequenceNumber as string,
      ),
    );

    // Act
    await expect(disconnectAs(deps, 'alice', 'alice-1')).rejects.toThrow(TransactionConflictException);
    const stuck = entriesOf(await presenceItem(app, 'alice'));
    const removal = newRecords(await readStream(app.endpoint, app.streamArn), seen);
    const notifier = recordingNotifier();
    const fanout = createTableDependencies(app.documentClient, app.tableName, { notifier }).fanout;
    await handleStream(streamEvent(removal), fanout);
    for (const record of removal) seen.add(record.dynamodb?.SequenceNumber as string);
    await handleStream(streamEvent(newRecords(await readStream(app.endpoint, app.streamArn), seen)), fanout);

    // Assess: the entry outlived the failed disconnect, then the stream removed it and bob heard of it
    expect(stuck.map(connectionOf)).toEqual(['alice-1']);
    expect(removal.map((record) => record.eventName)).toEqual(['REMOVE']);
    expect(entriesOf(await presenceItem(app, 'alice'))).toEqual([]);
    expect((await presenceOf(app, ['alice']))[0]?.status).toBe('offline');
    expect(presenceEventsFor(notifier.posts, 'bob-phone', 'alice').map((event) => event.status)).toEqual([
      'offline',
    ]);
  });

  it('refuses the connection over the cap with 429 and stores nothing for it', async () => {
    // Prepare
    const { app, deps } = await freshApp({ connectionCap: 3 });
    for (const n of [1, 2, 3]) expect((await connectAs(deps, 'alice', `alice-${n}`)).statusCode).toBe(200);
    const before = await app.scanAll();

    // Act
    const refused = await connectAs(deps, 'alice', 'alice-4');

    // Assess
    expect(refused).toEqual({ statusCode: 429 });
    expect(await app.scanAll()).toEqual(before);
    expect(await connectionIdsOf(app, 'alice')).toEqual(['alice-1', 'alice-2', 'alice-3']);

    // Act / Assess: a closed connection makes room again
    expect((await disconnectAs(deps, 'alice', 'alice-2')).statusCode).toBe(200);
    expect((await connectAs(deps, 'alice', 'alice-4')).statusCode).toBe(200);
    expect(await connectionIdsOf(app, 'alice')).toEqual(['alice-1', 'alice-3', 'alice-4']);
  });

  it('lets exactly the cap of concurrent connects in and refuses the rest with 429', async () => {
    // Prepare
    const { app, deps } = await freshApp({ connectionCap: 3 });

    // Act
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => connectAs(deps, 'carol', `carol-${n}`)));

    // Assess
    const codes = results.map((result) => result.statusCode).sort();
    expect(codes).toEqual([200, 200, 200, 429, 429, 429]);
    const accepted = results
      .map((result, index) => (result.statusCode === 200 ? `carol-${index + 1}` : undefined))
      .filter(Boolean);
    expect(await connectionIdsOf(app, 'carol')).toEqual(accepted);
    expect(
      entriesOf(await presenceItem(app, 'carol'))
        .map(connectionOf)
        .sort(),
    ).toEqual(accepted);
  });

  it('answers getPresence for up to 100 users with strongly consistent reads, and refuses 101', async () => {
    // Prepare
    const { app, deps } = await freshApp();
    expect((await connectAs(deps, 'alice', 'alice-1')).statusCode).toBe(200);
    const others = Array.from({ length: 97 }, (_, n) => `user-${n}`);
    const userIds = ['alice', 'bob', 'nobody', ...others];
    const recorder = recordCommands(app.client);

    // Act
    const answer = await app.request<PresenceAnswer>('bob', { action: 'getPresence', userIds });
    const reads = recorder.commands.splice(0);
    const tooMany = await app.request<ErrorFrame>('bob', {
      action: 'getPresence',
      userIds: [...userIds, 'one-more'],
    });

    // Assess
    expect(answer.type).toBe('presence');
    expect(answer.users).toHaveLength(100);
    expect(answer.users.map((user) => user.userId)).toEqual(userIds);
    expect(answer.users.slice(0, 3)).toEqual([
      { userId: 'alice', status: 'online', lastSeen: expect.any(String) },
      { userId: 'bob', status: 'online', lastSeen: expect.any(String) },
      { userId: 'nobody', status: 'offline', lastSeen: null },
    ]);
    expect(answer.users.slice(3).every((user) => user.status === 'offline' && user.lastSeen === null)).toBe(
      true,
    );
    expect(reads.length).toBeGreaterThan(0);
    for (const command of reads) {
      expect(command.name).toBe('BatchGetItemCommand');
      const request = (command.input.RequestItems as Record<string, { ConsistentRead?: boolean }>)[
        app.tableName
      ];
      expect(request?.ConsistentRead).toBe(true);
    }
    expect(tooMany).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    expect(recorder.commands).toEqual([]);
  });

  it('answers an empty userIds list with BAD_REQUEST', async () => {
    // Prepare
    const app = await createTestApp();
    apps.push(app);

    // Act
    const answer = await handleRequest(
      app.event('bob', JSON.stringify({ action: 'getPresence', requestId: 'r1', userIds: [] })),
      app.deps,
    );

    // Assess
    expect(JSON.parse(answer.body ?? '{}')).toMatchObject({
      type: 'error',
      code: 'BAD_REQUEST',
      requestId: 'r1',
    });
  });
});

describe('presence under transaction conflicts', () => {
  it('retries a connect whose presence update conflicts with a concurrent transaction', async () => {
    // Prepare: DynamoDB Local never raises TransactionConflict, so the first two attempts are failed here
    const { injectTransactionConflicts } = await import('../support/command-recorder');
    const app = await createTestApp();
    const conflictsLeft = injectTransactionConflicts(app.client, 2, 1, 2);

    // Act
    await app.deps.presence.connect({
      userId: 'zoe',
      connectionId: 'z1',
      deviceId: 'd',
      connectedAt: new Date().toISOString(),
    });

    // Assess
    expect(conflictsLeft()).toBe(0);
    expect(await app.deps.presence.get(['zoe'])).toMatchObject([{ userId: 'zoe', status: 'online' }]);
  });
});
