import { randomUUID } from 'node:crypto';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import type { Logger } from '../../lambdas/shared/logger';
import { lambdaContext, type StreamHandler } from '../lambda-handlers';
import type { DeadLetterQueue, FailureCondition } from './dead-letter-queue';
import { matchesAnyPattern } from './event-filter';
import { toLambdaRecord } from './stream-records';
import type { StreamSourceSettings } from './stream-source-settings';

export interface BatchProcessorOptions {
  readonly handler: StreamHandler;
  readonly settings: StreamSourceSettings;
  readonly streamArn: string;
  readonly shardId: string;
  readonly deadLetters: DeadLetterQueue;
  readonly log: Logger;
  readonly functionName: string;
  readonly region: string;
  /** An invocation running longer fails, as a Lambda timeout does. Default 60 s. */
  readonly timeoutMs?: number;
  /** Pause before retry number `attempt` (1-based). Default 100 ms doubling up to 2 s. */
  readonly retryDelayMs?: (attempt: number) => number;
}

type Outcome =
  | { readonly kind: 'success' }
  | { readonly kind: 'error'; readonly error: unknown }
  /** The function answered with batchItemFailures: records from `index` on are to be retried. */
  | { readonly kind: 'partial'; readonly index: number };

const sequenceOf = (record: DynamoDBRecord): string => record.dynamodb?.SequenceNumber ?? '';
const createdAt = (record: DynamoDBRecord): number => record.dynamodb?.ApproximateCreationDateTime ?? 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What the event source mapping does with the records of one shard: filter, batch, invoke, and on
 * failure apply the mapping's settings: resume from the lowest reported failure, bisect a batch whose
 * invocation failed (free of the retry budget), retry up to `retryAttempts`, discard records older than
 * `maxRecordAgeSeconds`, and send what is discarded to the dead-letter queue. Batches run one at a
 * time, in sequence order.
 */
export class BatchProcessor {
  private readonly retryDelayMs: (attempt: number) => number;

  constructor(private readonly options: BatchProcessorOptions) {
    this.retryDelayMs = options.retryDelayMs ?? ((attempt) => Math.min(2000, 100 * 2 ** (attempt - 1)));
  }

  async process(records: readonly _Record[]): Promise<void> {
    await this.deliverAll(this.select(records));
  }

  /** The records as Lambda would hand them over, those the filter patterns reject left out. */
  select(records: readonly _Record[]): DynamoDBRecord[] {
    const { settings, streamArn } = this.options;
    return records
      .map((record) => toLambdaRecord(record, streamArn))
      .filter((record) => matchesAnyPattern(settings.filterPatterns, record));
  }

  /** Invokes the function with batches of at most batchSize, one after the other. */
  async deliverAll(records: readonly DynamoDBRecord[]): Promise<void> {
    const { batchSize } = this.options.settings;
    for (let start = 0; start < records.length; start += batchSize) {
      await this.deliver(records.slice(start, start + batchSize), 0);
    }
  }

  private async deliver(batch: DynamoDBRecord[], retries: number): Promise<void> {
    const { settings } = this.options;
    const fresh = this.dropExpired(batch, retries);
    if (fresh.length === 0) return;
    const outcome = await this.invoke(fresh);
    if (outcome.kind === 'success') return;

    if (outcome.kind === 'error' && settings.bisectBatchOnError && fresh.length > 1) {
      const half = Math.ceil(fresh.length / 2);
      await this.deliver(fresh.slice(0, half), retries);
      await this.deliver(fresh.slice(half), retries);
      return;
    }
    const remaining = outcome.kind === 'partial' ? fresh.slice(outcome.index) : fresh;
    if (settings.retryAttempts >= 0 && retries >= settings.retryAttempts) {
      this.discard(remaining, 'RetryAttemptsExhausted', retries + 1, outcome.kind === 'error');
      return;
    }
    await sleep(this.retryDelayMs(retries + 1));
    await this.deliver(remaining, retries + 1);
  }

  private dropExpired(batch: DynamoDBRecord[], retries: number): DynamoDBRecord[] {
    const maxAge = this.options.settings.maxRecordAgeSeconds;
    if (maxAge < 0) return batch;
    const oldest = Math.floor(Date.now() / 1000) - maxAge;
    const expired = batch.filter((record) => createdAt(record) < oldest);
    if (expired.length > 0) this.discard(expired, 'RecordAgeExceeded', retries, false);
    return expired.length > 0 ? batch.filter((record) => createdAt(record) >= oldest) : batch;
  }

  private async invoke(batch: DynamoDBRecord[]): Promise<Outcome> {
    const { handler, functionName, region, log, settings } = this.options;
    const timeoutMs = this.options.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    let response: unknown;
    try {
      response = await Promise.race([
        handler({ Records: batch }, lambdaContext(functionName, timeoutMs, region)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Task timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      log.warn('stream batch failed', { shardId: this.options.shardId, records: batch.length, error });
      return { kind: 'error', error };
    } finally {
      clearTimeout(timer);
    }
    if (!settings.reportBatchItemFailures) return { kind: 'success' };
    const failures = (response as Partial<DynamoDBBatchResponse> | null | undefined)?.batchItemFailures;
    if (!Array.isArray(failures) || failures.length === 0) return { kind: 'success' };
    const sequences = batch.map(sequenceOf);
    let index = batch.length;
    for (const failure of failures) {
      const position = sequences.indexOf(failure?.itemIdentifier as string);
      // An identifier that is not in the batch makes the whole batch a failure, as in Lambda.
      index = Math.min(index, position < 0 || !failure?.itemIdentifier ? 0 : position);
    }
    log.debug('stream batch partly failed', { shardId: this.options.shardId, retryFrom: sequences[index] });
    return { kind: 'partial', index };
  }

  private discard(
    records: DynamoDBRecord[],
    condition: FailureCondition,
    invokeCount: number,
    error: boolean,
  ): void {
    const { deadLetters, functionName, region, shardId, streamArn, log } = this.options;
    const first = records[0] as DynamoDBRecord;
    const last = records[records.length - 1] as DynamoDBRecord;
    const arrival = (record: DynamoDBRecord) =>
      new Date(createdAt(record) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    log.warn('stream records discarded', {
      condition,
      shardId,
      startSequenceNumber: sequenceOf(first),
      endSequenceNumber: sequenceOf(last),
    });
    deadLetters.add({
      requestContext: {
        requestId: randomUUID(),
        functionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
        condition,
        approximateInvokeCount: invokeCount,
      },
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(error ? { functionError: 'Unhandled' } : {}),
      },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: sequenceOf(first),
        endSequenceNumber: sequenceOf(last),
        approximateArrivalOfFirstRecord: arrival(first),
        approximateArrivalOfLastRecord: arrival(last),
        batchSize: records.length,
        streamArn,
      },
      payload: { Records: records },
    });
  }
}
