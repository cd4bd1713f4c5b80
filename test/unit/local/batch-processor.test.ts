import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { Entity } from '../../../lambdas/shared/table-schema';
import type { StreamHandler } from '../../../local/lambda-handlers';
import { SilentLogger } from '../../../local/silent-logger';
import { BatchProcessor } from '../../../local/stream/batch-processor';
import { DeadLetterQueue } from '../../../local/stream/dead-letter-queue';
import {
  FANOUT_SOURCE_SETTINGS,
  type StreamSourceSettings,
} from '../../../local/stream/stream-source-settings';

const STREAM_ARN = 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2026-01-01T00:00:00.000';

const record = (seq: number, options: { entity?: string; ageSeconds?: number } = {}): _Record => ({
  eventID: `event-${seq}`,
  eventName: 'INSERT',
  eventVersion: '1.1',
  eventSource: 'aws:dynamodb',
  awsRegion: 'ddblocal',
  dynamodb: {
    ApproximateCreationDateTime: new Date(Date.now() - (options.ageSeconds ?? 0) * 1000),
    Keys: { pk: { S: 'C#c' }, sk: { S: `M#${seq}` } },
    NewImage: { pk: { S: 'C#c' }, sk: { S: `M#${seq}` }, entity: { S: options.entity ?? Entity.message } },
    SequenceNumber: String(1000 + seq),
    SizeBytes: 50,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});

const seqs = (event: DynamoDBStreamEvent): number[] =>
  event.Records.map((item) => Number(item.dynamodb?.SequenceNumber) - 1000);

const processorWith = (handler: StreamHandler, settings: Partial<StreamSourceSettings> = {}) => {
  const deadLetters = new DeadLetterQueue();
  const processor = new BatchProcessor({
    handler,
    settings: { ...FANOUT_SOURCE_SETTINGS, ...settings },
    streamArn: STREAM_ARN,
    shardId: 'shardId-1',
    deadLetters,
    log: new SilentLogger(),
    functionName: 'fanout',
    region: 'us-east-1',
    retryDelayMs: () => 0,
    timeoutMs: 200,
  });
  return { processor, deadLetters };
};

describe('BatchProcessor', () => {
  it('retries from the lowest reported failure without delivering the records before it again', async () => {
    // Prepare
    const calls: number[][] = [];
    const { processor, deadLetters } = processorWith(async (event) => {
      calls.push(seqs(event));
      if (calls.length > 1) return { batchItemFailures: [] };
      return { batchItemFailures: [{ itemIdentifier: '1005' }, { itemIdentifier: '1003' }] };
    });

    // Act
    await processor.process([1, 2, 3, 4, 5].map((seq) => record(seq)));

    // Assess
    expect(calls).toEqual([
      [1, 2, 3, 4, 5],
      [3, 4, 5],
    ]);
    expect(deadLetters.list()).toEqual([]);
  });

  it('bisects a failing batch, sends the poison record to the dead-letter queue after the retries, and delivers the rest in order', async () => {
    // Prepare
    const calls: number[][] = [];
    const delivered: number[] = [];
    const { processor, deadLetters } = processorWith(
      async (event) => {
        calls.push(seqs(event));
        if (seqs(event).includes(2)) throw new Error('poison');
        delivered.push(...seqs(event));
        return undefined;
      },
      { retryAttempts: 2 },
    );

    // Act
    await processor.process([1, 2, 3, 4].map((seq) => record(seq)));

    // Assess
    expect(calls).toEqual([[1, 2, 3, 4], [1, 2], [1], [2], [2], [2], [3, 4]]);
    expect(delivered).toEqual([1, 3, 4]);
    const [dead] = deadLetters.list();
    expect(deadLetters.list()).toHaveLength(1);
    expect(dead?.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    });
    expect(dead?.responseContext.functionError).toBe('Unhandled');
    expect(dead?.DDBStreamBatchInfo).toMatchObject({
      shardId: 'shardId-1',
      startSequenceNumber: '1002',
      endSequenceNumber: '1002',
      batchSize: 1,
      streamArn: STREAM_ARN,
    });
    expect(seqs(dead?.payload as DynamoDBStreamEvent)).toEqual([2]);
  });

  it('discards a record reported as failed on every retry together with the records after it, as Lambda does', async () => {
    // Prepare
    const calls: number[][] = [];
    const { processor, deadLetters } = processorWith(
      async (event) => {
        calls.push(seqs(event));
        return { batchItemFailures: [{ itemIdentifier: '1002' }] };
      },
      { retryAttempts: 2 },
    );

    // Act
    await processor.process([1, 2, 3].map((seq) => record(seq)));

    // Assess
    expect(calls).toEqual([
      [1, 2, 3],
      [2, 3],
      [2, 3],
    ]);
    expect(deadLetters.list().map((dead) => dead.DDBStreamBatchInfo)).toEqual([
      expect.objectContaining({ startSequenceNumber: '1002', endSequenceNumber: '1003', batchSize: 2 }),
    ]);
    expect(deadLetters.list()[0]?.responseContext.functionError).toBeUndefined();
  });

  it('treats a batchItemFailure that names no record of the batch as a failure of the whole batch', async () => {
    // Prepare
    const calls: number[][] = [];
    const { processor } = processorWith(async (event) => {
      calls.push(seqs(event));
      return { batchItemFailures: calls.length === 1 ? [{ itemIdentifier: 'nonsense' }] : [] };
    });

    // Act
    await processor.process([1, 2].map((seq) => record(seq)));

    // Assess
    expect(calls).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });

  it('sends records older than the maximum record age to the dead-letter queue without invoking the function', async () => {
    // Prepare
    const calls: number[][] = [];
    const { processor, deadLetters } = processorWith(async (event) => {
      calls.push(seqs(event));
    });

    // Act
    await processor.process([record(1, { ageSeconds: 7200 }), record(2)]);

    // Assess
    expect(calls).toEqual([[2]]);
    expect(deadLetters.list().map((dead) => dead.requestContext.condition)).toEqual(['RecordAgeExceeded']);
    expect(deadLetters.list()[0]?.DDBStreamBatchInfo.startSequenceNumber).toBe('1001');
  });

  it('drops records the filter patterns reject and cuts the rest into batches of batchSize, in order', async () => {
    // Prepare
    const calls: number[][] = [];
    const { processor } = processorWith(
      async (event) => {
        calls.push(seqs(event));
      },
      { batchSize: 2 },
    );
    const records = [1, 2, 3, 4, 5, 6].map((seq) =>
      record(seq, { entity: seq % 3 === 0 ? Entity.connection : Entity.message }),
    );

    // Act
    await processor.process(records);

    // Assess
    expect(calls).toEqual([
      [1, 2],
      [4, 5],
    ]);
  });

  it('fails an invocation that outlives the timeout and retries it', async () => {
    // Prepare
    let calls = 0;
    const { processor, deadLetters } = processorWith(async () => {
      calls += 1;
      if (calls === 1) await new Promise(() => {});
    });

    // Act
    await processor.process([record(1)]);

    // Assess
    expect(calls).toBe(2);
    expect(deadLetters.list()).toEqual([]);
  });
});
