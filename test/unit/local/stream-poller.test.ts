import {
  type _Record,
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { Entity } from '../../../lambdas/shared/table-schema';
import { SilentLogger } from '../../../local/silent-logger';
import { DeadLetterQueue } from '../../../local/stream/dead-letter-queue';
import { StreamPoller } from '../../../local/stream/stream-poller';
import {
  FANOUT_SOURCE_SETTINGS,
  type StreamSourceSettings,
} from '../../../local/stream/stream-source-settings';
import { eventually } from '../../e2e/support/eventually';

interface FakeShard {
  readonly id: string;
  readonly parent?: string;
  closed: boolean;
  readonly records: _Record[];
}

const record = (seq: number): _Record => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  eventVersion: '1.1',
  eventSource: 'aws:dynamodb',
  awsRegion: 'ddblocal',
  dynamodb: {
    ApproximateCreationDateTime: new Date(),
    Keys: { pk: { S: 'C#c' }, sk: { S: `M#${seq}` } },
    NewImage: { entity: { S: Entity.message } },
    SequenceNumber: String(seq),
    SizeBytes: 10,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});

/** DynamoDB Streams as far as the poller uses it: shards with lineage, iterators, GetRecords. */
class FakeStreams {
  readonly shards: FakeShard[] = [];

  send(command: unknown): Promise<unknown> {
    if (command instanceof DescribeStreamCommand) {
      return Promise.resolve({
        StreamDescription: {
          Shards: this.shards.map((shard) => ({
            ShardId: shard.id,
            ParentShardId: shard.parent,
            SequenceNumberRange: {
              StartingSequenceNumber: '0',
              EndingSequenceNumber: shard.closed ? '9' : undefined,
            },
          })),
        },
      });
    }
    if (command instanceof GetShardIteratorCommand) {
      const { ShardId, ShardIteratorType, SequenceNumber } = command.input;
      const shard = this.shard(ShardId as string);
      const position =
        ShardIteratorType === 'TRIM_HORIZON'
          ? 0
          : ShardIteratorType === 'LATEST'
            ? shard.records.length
            : shard.records.findIndex((item) => item.dynamodb?.SequenceNumber === SequenceNumber) + 1;
      return Promise.resolve({ ShardIterator: `${ShardId}|${position}` });
    }
    if (command instanceof GetRecordsCommand) {
      const [id, at] = (command.input.ShardIterator as string).split('|');
      const shard = this.shard(id as string);
      const position = Number(at);
      const records = shard.records.slice(position, position + 2);
      const next = position + records.length;
      const ended = shard.closed && next >= shard.records.length;
      return Promise.resolve({ Records: records, NextShardIterator: ended ? undefined : `${id}|${next}` });
    }
    return Promise.reject(new Error('unexpected command'));
  }

  private shard(id: string): FakeShard {
    const shard = this.shards.find((candidate) => candidate.id === id);
    if (!shard) throw new Error(`no shard ${id}`);
    return shard;
  }
}

const seqs = (event: DynamoDBStreamEvent): number[] =>
  event.Records.map((item) => Number(item.dynamodb?.SequenceNumber));

describe('StreamPoller', () => {
  let poller: StreamPoller | undefined;

  afterEach(async () => {
    await poller?.stop();
  });

  const startPoller = async (
    streams: FakeStreams,
    startingPosition: 'LATEST' | 'TRIM_HORIZON',
    settings: Partial<StreamSourceSettings> = {},
    invocations: number[][] = [],
  ) => {
    const delivered: number[] = [];
    poller = new StreamPoller({
      client: streams as unknown as DynamoDBStreamsClient,
      streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/x',
      handler: async (event) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        invocations.push(seqs(event));
        delivered.push(...seqs(event));
      },
      deadLetters: new DeadLetterQueue(),
      log: new SilentLogger(),
      region: 'us-east-1',
      settings: { ...FANOUT_SOURCE_SETTINGS, startingPosition, ...settings },
      pollIntervalMs: 2,
      discoveryIntervalMs: 10,
    });
    await poller.start();
    return delivered;
  };

  it('reads a parent shard to its end before its child, and the child from its start', async () => {
    // Prepare
    const streams = new FakeStreams();
    streams.shards.push(
      { id: 'parent', closed: true, records: [1, 2, 3].map(record) },
      { id: 'child', parent: 'parent', closed: false, records: [4, 5].map(record) },
    );

    // Act
    const delivered = await startPoller(streams, 'TRIM_HORIZON');
    streams.shards[1]?.records.push(record(6));

    // Assess
    await eventually(() => expect(delivered).toEqual([1, 2, 3, 4, 5, 6]));
  });

  it('starts at the tip of the open shards and follows the stream into a new shard', async () => {
    // Prepare
    const streams = new FakeStreams();
    streams.shards.push(
      { id: 'old', closed: true, records: [1].map(record) },
      { id: 'current', parent: 'old', closed: false, records: [2].map(record) },
    );
    const delivered = await startPoller(streams, 'LATEST');

    // Act
    streams.shards[1]?.records.push(record(3));
    await eventually(() => expect(delivered).toEqual([3]));
    streams.shards[1]?.records.push(record(4));
    (streams.shards[1] as FakeShard).closed = true;
    streams.shards.push({ id: 'next', parent: 'current', closed: false, records: [5, 6].map(record) });

    // Assess
    await eventually(() => expect(delivered).toEqual([3, 4, 5, 6]));
    expect(poller?.activeShards).toEqual(['next']);
  });

  it('gathers records for the batching window before invoking, up to the batch size', async () => {
    // Prepare: GetRecords answers two records at a time
    const streams = new FakeStreams();
    streams.shards.push({ id: 'only', closed: false, records: [1, 2, 3, 4, 5].map(record) });
    const invocations: number[][] = [];

    // Act
    await startPoller(streams, 'TRIM_HORIZON', { maxBatchingWindowSeconds: 0.3, batchSize: 4 }, invocations);

    // Assess
    await eventually(() => expect(invocations.flat()).toEqual([1, 2, 3, 4, 5]));
    expect(invocations[0]).toEqual([1, 2, 3, 4]);
  });

  it('invokes as soon as records arrive when there is no batching window', async () => {
    // Prepare
    const streams = new FakeStreams();
    streams.shards.push({ id: 'only', closed: false, records: [1, 2, 3].map(record) });
    const invocations: number[][] = [];

    // Act
    await startPoller(streams, 'TRIM_HORIZON', { maxBatchingWindowSeconds: 0 }, invocations);

    // Assess
    await eventually(() => expect(invocations).toEqual([[1, 2], [3]]));
  });
});
