import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Logger } from '../../lambdas/shared/logger';
import type { BatchProcessor } from './batch-processor';

export interface ShardReaderOptions {
  readonly client: DynamoDBStreamsClient;
  readonly streamArn: string;
  readonly shardId: string;
  readonly startingPosition: 'LATEST' | 'TRIM_HORIZON';
  readonly processor: BatchProcessor;
  readonly pollIntervalMs: number;
  /** Records are gathered for this long, up to batchSize, before they are handed over (0: at once). */
  readonly batchingWindowMs: number;
  readonly batchSize: number;
  readonly log: Logger;
  readonly isStopped: () => boolean;
}

const RECOVERABLE = new Set(['ExpiredIteratorException', 'TrimmedDataAccessException']);

/** Reads one shard from its starting position to its end, strictly in order, one batch at a time. */
export class ShardReader {
  private iterator?: string;
  private lastSequenceNumber?: string;
  private wake?: () => void;
  /** Records read and accepted by the filters, waiting for the batching window to close. */
  private gathered: DynamoDBRecord[] = [];
  private gatheringSince = 0;

  constructor(private readonly options: ShardReaderOptions) {}

  get shardId(): string {
    return this.options.shardId;
  }

  /** Takes the starting iterator; the shard's records from here on will be read. */
  async open(): Promise<void> {
    this.iterator = await this.iteratorAt(this.options.startingPosition);
  }

  /** Resolves when the shard is closed and fully read ('ended'), or when the poller stops. */
  async run(): Promise<'ended' | 'stopped'> {
    const { client, processor, log, isStopped, shardId } = this.options;
    if (!this.iterator) await this.open();
    let failures = 0;
    while (!isStopped()) {
      let output: GetRecordsCommandOutput;
      try {
        output = await client.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: 1000 }));
        failures = 0;
      } catch (error) {
        if (isStopped()) break;
        if (RECOVERABLE.has((error as Error).name)) {
          this.iterator = await this.resumeIterator();
          continue;
        }
        failures += 1;
        log.warn('GetRecords failed', { shardId, error });
        await this.pause(Math.min(5000, 100 * 2 ** failures));
        continue;
      }
      const records = output.Records ?? [];
      if (records.length > 0) {
        if (this.gathered.length === 0) this.gatheringSince = Date.now();
        this.gathered.push(...processor.select(records));
        this.lastSequenceNumber =
          records[records.length - 1]?.dynamodb?.SequenceNumber ?? this.lastSequenceNumber;
      }
      const ended = !output.NextShardIterator;
      if (this.gathered.length > 0 && (ended || this.batchReady())) {
        const batch = this.gathered;
        this.gathered = [];
        await processor.deliverAll(batch);
      }
      if (ended) return 'ended';
      this.iterator = output.NextShardIterator;
      if (records.length === 0) await this.pause(this.options.pollIntervalMs);
    }
    return 'stopped';
  }

  private batchReady(): boolean {
    const { batchingWindowMs, batchSize } = this.options;
    return (
      batchingWindowMs <= 0 ||
      this.gathered.length >= batchSize ||
      Date.now() - this.gatheringSince >= batchingWindowMs
    );
  }

  /** Ends a pause early (on stop). */
  interrupt(): void {
    this.wake?.();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private resumeIterator(): Promise<string | undefined> {
    return this.lastSequenceNumber
      ? this.iteratorAt('AFTER_SEQUENCE_NUMBER', this.lastSequenceNumber)
      : this.iteratorAt('TRIM_HORIZON');
  }

  private async iteratorAt(type: ShardIteratorType, sequenceNumber?: string): Promise<string | undefined> {
    const output = await this.options.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.options.streamArn,
        ShardId: this.options.shardId,
        ShardIteratorType: type,
        ...(sequenceNumber ? { SequenceNumber: sequenceNumber } : {}),
      }),
    );
    return output.ShardIterator;
  }
}
