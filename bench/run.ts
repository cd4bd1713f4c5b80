/**
 * `npm run bench`: the figures the design promises, measured on this machine.
 *   1. DynamoDB calls and consumed capacity: one 1:1 send, a presence transition, a group message
 *      to 10 and to 250 members (send and fan-out), on DynamoDB Local.
 *   2. Through the local runtime: start-up to healthy, and the time from sendMessage to the other
 *      user's `message` event over 200 messages (median, p95).
 * Prints figures; asserts nothing. DynamoDB Local's capacity accounting is approximate: it does not
 * charge transactions double as DynamoDB does (see docs/architecture.md, "Costs", for the figures by
 * DynamoDB's pricing rules). Latencies are of this machine.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import WebSocket from 'ws';
import { createTableDependencies } from '../lambdas/adapters/dependencies';
import { directConversationId } from '../lambdas/domain/conversation-id';
import { handleStream } from '../lambdas/handlers/fanout';
import { handleRequest } from '../lambdas/handlers/request';
import { createDocumentClient } from '../lambdas/shared/clients';
import type { ServerFrame } from '../lambdas/shared/protocol';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../local/dynamodb-local';
import { startLocalRuntime } from '../local/runtime';
import { ensureTable } from '../local/table-bootstrap';
import { readStream, streamEvent } from '../test/support/stream-records';
import { describeTally, meterCapacity } from './capacity';

process.env.LOG_LEVEL ??= 'silent';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const line = (label: string, value: string) => console.log(`  ${label.padEnd(44)} ${value}`);

const capacityFigures = async (endpoint: string) => {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const tableName = `bench-${randomUUID()}`;
  const { streamArn } = await ensureTable(client, tableName);
  const meter = meterCapacity(client);
  let posts = 0;
  const deps = createTableDependencies(createDocumentClient(client), tableName, {
    sendQuota: null,
    groupQuota: { bucket: 'groups', limit: 1000, windowSeconds: 60 },
    notifier: {
      post: async () => {
        posts++;
        return 'delivered';
      },
    },
  });
  const request = async (userId: string, frame: Record<string, unknown>) => {
    const event = {
      requestContext: {
        routeKey: '$default',
        connectionId: `c-${userId}`,
        authorizer: { userId, deviceId: 'bench' },
      },
      body: JSON.stringify({ requestId: randomUUID(), ...frame }),
    };
    return JSON.parse((await handleRequest(event, deps)).body ?? '') as ServerFrame;
  };
  let seen = 0;
  const newRecords = async (): Promise<DynamoDBRecord[]> => {
    const records = await readStream(endpoint, streamArn);
    const fresh = records.slice(seen);
    seen = records.length;
    return fresh;
  };
  const connect = (userId: string, connectionId = `c-${userId}`) =>
    deps.presence.connect({ userId, connectionId, deviceId: 'bench', connectedAt: new Date().toISOString() });

  console.log('\nDynamoDB calls and consumed capacity (DynamoDB Local, ReturnConsumedCapacity TOTAL)');
  await connect('alice');
  await connect('bob');
  await request('alice', { action: 'openDirect', userId: 'bob' });
  const conversationId = directConversationId('alice', 'bob');
  await request('alice', { action: 'sendMessage', conversationId, clientMessageId: 'warm', body: 'warm-up' });
  await newRecords();
  const body = 'A short chat message of about sixty characters, typical of chat.';
  const send = await meter.measure(() =>
    request('alice', { action: 'sendMessage', conversationId, clientMessageId: 'one', body }),
  );
  line('1:1 send (request Lambda)', describeTally(send.tally));
  posts = 0;
  const oneToOne = await meter.measure(async () =>
    handleStream(streamEvent(await newRecords()), deps.fanout),
  );
  line(`1:1 fan-out (${posts} posts)`, describeTally(oneToOne.tally));

  await connect('carol', 'carol-1');
  await request('carol', { action: 'openDirect', userId: 'alice' });
  await deps.presence.disconnect('carol', 'carol-1');
  await newRecords();
  const online = await meter.measure(() => connect('carol', 'carol-2'));
  line('presence: connect, offline → online', describeTally(online.tally));
  posts = 0;
  const onlineFanout = await meter.measure(async () =>
    handleStream(streamEvent(await newRecords()), deps.fanout),
  );
  line(`  fan-out of the transition (${posts} posts)`, describeTally(onlineFanout.tally));
  const offline = await meter.measure(() => deps.presence.disconnect('carol', 'carol-2'));
  line('presence: disconnect, online → offline', describeTally(offline.tally));
  posts = 0;
  const offlineFanout = await meter.measure(async () =>
    handleStream(streamEvent(await newRecords()), deps.fanout),
  );
  line(`  fan-out of the transition (${posts} posts)`, describeTally(offlineFanout.tally));

  for (const size of [10, 250]) {
    const members = Array.from({ length: size - 1 }, (_, index) => `m${size}-${index}`);
    await Promise.all(members.map((userId) => connect(userId)));
    const created = (await request('alice', {
      action: 'createGroup',
      name: `g${size}`,
      memberIds: members,
    })) as Extract<ServerFrame, { type: 'conversation' }>;
    const groupId = created.conversation.conversationId;
    await request('alice', { action: 'sendMessage', conversationId: groupId, clientMessageId: 'warm', body });
    await newRecords();
    const groupSend = await meter.measure(() =>
      request('alice', { action: 'sendMessage', conversationId: groupId, clientMessageId: 'one', body }),
    );
    line(`group of ${size}: send`, describeTally(groupSend.tally));
    posts = 0;
    const groupFanout = await meter.measure(async () =>
      handleStream(streamEvent(await newRecords()), deps.fanout),
    );
    line(`group of ${size}: fan-out (${posts} posts)`, describeTally(groupFanout.tally));
  }
  client.destroy();
};

const waitFor = <T>(
  socket: WebSocket,
  match: (frame: ServerFrame) => T | undefined,
  timeoutMs = 10_000,
): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for a frame')), timeoutMs);
    const onMessage = (data: WebSocket.RawData) => {
      const value = match(JSON.parse(data.toString()) as ServerFrame);
      if (value === undefined) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(value);
    };
    socket.on('message', onMessage);
  });

const open = async (wsUrl: string, token: string, deviceId: string) => {
  const socket = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}&deviceId=${deviceId}`);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return socket;
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

const latencyFigures = async () => {
  console.log('\nLocal runtime (npm start), in memory');
  const runtime = await startLocalRuntime({ port: 0, inMemory: true, quiet: true });
  try {
    line('start-up to healthy, DynamoDB Local included', `${runtime.startupMs} ms`);
    const alice = await open(runtime.wsUrl, (await runtime.issueToken('alice')).token, 'bench-a');
    const bob = await open(runtime.wsUrl, (await runtime.issueToken('bob')).token, 'bench-b');
    alice.send(JSON.stringify({ action: 'openDirect', requestId: 'o', userId: 'bob' }));
    await waitFor(alice, (frame) => (frame.type === 'conversation' ? frame : undefined));
    const conversationId = directConversationId('alice', 'bob');
    const samples: number[] = [];
    // Alice and Bob take turns, one message every 55 ms at most: under the send quota of 100 per 10 s each.
    for (let n = 0; n < 200; n++) {
      const [sender, receiver] = n % 2 === 0 ? [alice, bob] : [bob, alice];
      const clientMessageId = `lat-${n}`;
      const received = waitFor(receiver, (frame) =>
        frame.type === 'message' && frame.message.clientMessageId === clientMessageId ? true : undefined,
      );
      const paced = new Promise((resolve) => setTimeout(resolve, 55));
      const started = performance.now();
      sender.send(
        JSON.stringify({
          action: 'sendMessage',
          requestId: `r${n}`,
          conversationId,
          clientMessageId,
          body: 'ping',
        }),
      );
      await received;
      samples.push(performance.now() - started);
      await paced;
    }
    samples.sort((a, b) => a - b);
    line(
      "sendMessage → other user's message event (200)",
      `median ${percentile(samples, 50).toFixed(1)} ms, p95 ${percentile(samples, 95).toFixed(1)} ms, max ${(samples.at(-1) ?? 0).toFixed(1)} ms`,
    );
    alice.close();
    bob.close();
  } finally {
    await runtime.stop();
  }
};

const main = async () => {
  const started = performance.now();
  const dynamo = await startDynamoDbLocal();
  console.log(`DynamoDB Local (in memory) up in ${(performance.now() - started).toFixed(0)} ms`);
  try {
    await capacityFigures(dynamo.endpoint);
  } finally {
    await dynamo.stop();
  }
  await latencyFigures();
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
