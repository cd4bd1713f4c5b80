import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FANOUT_SOURCE } from '../../lambdas/shared/fanout-source';
import { Entity, Keys } from '../../lambdas/shared/table-schema';
import type { StreamFailureRecord } from '../../local/stream/dead-letter-queue';
import { eventually } from './support/eventually';
import { FakeHandlers } from './support/fake-handlers';
import { type LocalStack, startLocalStack } from './support/local-stack';

const bodyOf = (record: DynamoDBRecord): string => record.dynamodb?.NewImage?.body?.S ?? '';

/**
 * The fan-out stand-in: a body `fail-once:*` is reported as a batch item failure the first time it is
 * seen, a body `poison` fails the whole invocation every time.
 */
class RecordingFanout {
  readonly invocations: string[][] = [];
  readonly delivered: string[] = [];
  private readonly failedOnce = new Set<string>();

  readonly handler = async (event: DynamoDBStreamEvent) => {
    const bodies = event.Records.map(bodyOf);
    this.invocations.push(bodies);
    if (bodies.includes('poison')) throw new Error('poison record');
    const failing = event.Records.find((record) => {
      const body = bodyOf(record);
      if (!body.startsWith('fail-once:') || this.failedOnce.has(body)) return false;
      this.failedOnce.add(body);
      return true;
    });
    const upTo = failing ? event.Records.indexOf(failing) : event.Records.length;
    this.delivered.push(...bodies.slice(0, upTo));
    return {
      batchItemFailures: failing ? [{ itemIdentifier: failing.dynamodb?.SequenceNumber as string }] : [],
    };
  };
}

describe('the stream event source on DynamoDB Local', () => {
  let stack: LocalStack;
  const fanout = new RecordingFanout();

  beforeAll(async () => {
    stack = await startLocalStack({
      handlers: { ...new FakeHandlers().handlers, fanout: fanout.handler },
      streamRetryDelayMs: () => 10,
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const message = (conversationId: string, seq: number, body: string) => ({
    ...Keys.message(conversationId, seq),
    entity: Entity.message,
    body,
  });
  const writeAll = (items: Record<string, unknown>[]) =>
    stack.db.send(
      new BatchWriteCommand({
        RequestItems: { [stack.runtime.tableName]: items.map((Item) => ({ PutRequest: { Item } })) },
      }),
    );

  it('delivers the records of a shard in write order, and only those the filter patterns accept', async () => {
    // Prepare
    const bodies = Array.from({ length: 30 }, (_, index) => `ordered-${index}`);

    // Act
    for (const [index, body] of bodies.entries()) {
      await stack.db.send(
        new PutCommand({ TableName: stack.runtime.tableName, Item: message('ordered', index + 1, body) }),
      );
      if (index === 10) {
        await stack.db.send(
          new PutCommand({
            TableName: stack.runtime.tableName,
            Item: { ...Keys.connection('zoe', 'K1'), entity: Entity.connection, body: 'ordered-connection' },
          }),
        );
      }
    }

    // Assess
    await eventually(() =>
      expect(fanout.delivered.filter((body) => body.startsWith('ordered-'))).toEqual(bodies),
    );
    expect(fanout.invocations.flat()).not.toContain('ordered-connection');
    expect(Math.max(...fanout.invocations.map((bodies) => bodies.length))).toBeLessThanOrEqual(
      FANOUT_SOURCE.batchSize,
    );
  });

  it('retries a batch from the lowest failed sequence number, not redelivering the records before it', async () => {
    // Prepare
    const bodies = ['r1', 'r2', 'fail-once:r3', 'r4', 'r5'];

    // Act
    await writeAll(bodies.map((body, index) => message('retry', index + 1, body)));

    // Assess
    await eventually(() => expect(fanout.delivered).toEqual(expect.arrayContaining(bodies)));
    const failed = fanout.invocations.findIndex((batch) => batch.includes('fail-once:r3'));
    const retried = fanout.invocations[failed + 1] as string[];
    expect(retried[0]).toBe('fail-once:r3');
    const before = (fanout.invocations[failed] as string[]).slice(
      0,
      (fanout.invocations[failed] as string[]).indexOf('fail-once:r3'),
    );
    expect(retried.filter((body) => before.includes(body))).toEqual([]);
    expect(fanout.delivered.filter((body) => bodies.includes(body))).toEqual(bodies);
  });

  it('sends a poison record to the dead-letter stand-in after the bounded retries, without blocking later records', async () => {
    // Prepare
    const dlqBefore = stack.runtime.dlq.list().length;

    // Act
    await writeAll([message('poison', 1, 'p1'), message('poison', 2, 'poison'), message('poison', 3, 'p2')]);
    await eventually(() => expect(stack.runtime.dlq.list().length).toBe(dlqBefore + 1));
    await stack.db.send(
      new PutCommand({ TableName: stack.runtime.tableName, Item: message('poison', 4, 'p3') }),
    );

    // Assess
    await eventually(() => expect(fanout.delivered).toEqual(expect.arrayContaining(['p1', 'p2', 'p3'])));
    expect(fanout.delivered.filter((body) => body.startsWith('p'))).toEqual(['p1', 'p2', 'p3']);
    expect(fanout.delivered).not.toContain('poison');
    const aloneAttempts = fanout.invocations.filter(
      (batch) => batch.length === 1 && batch[0] === 'poison',
    ).length;
    expect(aloneAttempts).toBe(FANOUT_SOURCE.retryAttempts + 1);
    const response = await fetch(`${stack.runtime.url}/dev/dlq`);
    const { records } = (await response.json()) as { records: StreamFailureRecord[] };
    const dead = records[records.length - 1] as StreamFailureRecord;
    expect(dead.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: FANOUT_SOURCE.retryAttempts + 1,
    });
    expect(dead.DDBStreamBatchInfo.batchSize).toBe(1);
    expect(dead.payload.Records.map(bodyOf)).toEqual(['poison']);
    expect(dead.DDBStreamBatchInfo.startSequenceNumber).toBe(
      dead.payload.Records[0]?.dynamodb?.SequenceNumber,
    );
  });
});
