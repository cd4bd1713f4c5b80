import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { Logger } from '../../lambdas/shared/logger';
import type { StreamHandler } from '../lambda-handlers';
import { BatchProcessor } from './batch-processor';
import type { DeadLetterQueue } from './dead-letter-queue';
import { ShardReader } from './shard-reader';
import { FANOUT_SOURCE_SETTINGS, type StreamSourceSettings } from './stream-source-settings';

export interface StreamPollerOptions {
  readonly client: DynamoDBStreamsClient;
  readonly streamArn: string;
  readonly handler: StreamHandler;
  readonly deadLetters: DeadLetterQueue;
  readonly log: Logger;
  readonly region: string;
  /** Default: the fan-out's event source mapping (`FANOUT_SOURCE`). */
  readonly settings?: StreamSourceSettings;
  /** Pause after an empty GetRecords. Default 20 ms. */
  readonly pollIntervalMs?: number;
  /** How often the stream is described to find new shards. Default 1 s. */
  readonly discoveryIntervalMs?: number;
  /** Default 'fanout'. */
  readonly functionName?: string;
  readonly timeoutMs?: number;
  readonly retryDelayMs?: (attempt: number) => number;
}

/**
 * The stand-in for Lambda's DynamoDB event source mapping: it follows the stream's shards (DynamoDB
 * Local rolls them too), reads each parent before its children, and hands records to a
 * BatchProcessor per shard. Shards are read in parallel, each strictly in order.
 */
export class StreamPoller {
  private readonly settings: StreamSourceSettings;
  private readonly shardStates = new Map<string, 'reading' | 'ended'>();
  private readonly readers = new Map<string, ShardReader>();
  private readonly running = new Set<Promise<void>>();
  private discoveryTimer?: NodeJS.Timeout;
  private discovering?: Promise<void>;
  private stopped = false;
  private started = false;

  constructor(private readonly options: StreamPollerOptions) {
    this.settings = options.settings ?? FANOUT_SOURCE_SETTINGS;
  }

  get isRunning(): boolean {
    return this.started && !this.stopped;
  }

  /** Shards being read now. */
  get activeShards(): string[] {
    return [...this.readers.keys()];
  }

  /** Resolves once every shard to read has its starting iterator: later writes will be delivered. */
  async start(): Promise<void> {
    const shards = await this.describeShards();
    const known = new Set(shards.map((shard) => shard.ShardId));
    const first: ShardReader[] = [];
    for (const shard of shards) {
      const id = shard.ShardId as string;
      const closed = Boolean(shard.SequenceNumberRange?.EndingSequenceNumber);
      if (this.settings.startingPosition === 'LATEST') {
        // LATEST applies to the shards open now; closed ones are history.
        if (closed) this.shardStates.set(id, 'ended');
        else first.push(this.reader(id, 'LATEST'));
      } else if (!shard.ParentShardId || !known.has(shard.ParentShardId)) {
        first.push(this.reader(id, 'TRIM_HORIZON'));
      }
    }
    await Promise.all(first.map((reader) => reader.open()));
    for (const reader of first) this.launch(reader);
    this.started = true;
    this.scheduleDiscovery();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.discoveryTimer);
    for (const reader of this.readers.values()) reader.interrupt();
    await this.discovering?.catch(() => {});
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private reader(shardId: string, startingPosition: 'LATEST' | 'TRIM_HORIZON'): ShardReader {
    const { client, streamArn, handler, deadLetters, log, region } = this.options;
    const shardLog = log.child({ shardId });
    const reader = new ShardReader({
      client,
      streamArn,
      shardId,
      startingPosition,
      pollIntervalMs: this.options.pollIntervalMs ?? 20,
      batchingWindowMs: this.settings.maxBatchingWindowSeconds * 1000,
      batchSize: this.settings.batchSize,
      log: shardLog,
      isStopped: () => this.stopped,
      processor: new BatchProcessor({
        handler,
        settings: this.settings,
        streamArn,
        shardId,
        deadLetters,
        log: shardLog,
        region,
        functionName: this.options.functionName ?? 'fanout',
        timeoutMs: this.options.timeoutMs,
        retryDelayMs: this.options.retryDelayMs,
      }),
    });
    this.shardStates.set(shardId, 'reading');
    this.readers.set(shardId, reader);
    return reader;
  }

  private launch(reader: ShardReader): void {
    const run = reader
      .run()
      .then((result) => {
        this.readers.delete(reader.shardId);
        if (result === 'ended') {
          this.shardStates.set(reader.shardId, 'ended');
          this.discover();
        }
      })
      .catch((error) => {
        this.readers.delete(reader.shardId);
        this.shardStates.delete(reader.shardId);
        this.options.log.error('shard reader failed; the shard will be picked up again', {
          shardId: reader.shardId,
          error,
        });
      })
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  private scheduleDiscovery(): void {
    if (this.stopped) return;
    this.discoveryTimer = setTimeout(() => {
      this.discover();
      this.scheduleDiscovery();
    }, this.options.discoveryIntervalMs ?? 1000);
    this.discoveryTimer.unref();
  }

  /** Starts readers for new shards whose parent is fully read (children start at TRIM_HORIZON). */
  private discover(): void {
    if (this.stopped || this.discovering) return;
    this.discovering = (async () => {
      try {
        const shards = await this.describeShards();
        const known = new Set(shards.map((shard) => shard.ShardId));
        for (const shard of shards) {
          const id = shard.ShardId as string;
          if (this.stopped || this.shardStates.has(id)) continue;
          const parent = shard.ParentShardId;
          if (parent && known.has(parent) && this.shardStates.get(parent) !== 'ended') continue;
          const reader = this.reader(id, 'TRIM_HORIZON');
          try {
            await reader.open();
          } catch (error) {
            this.readers.delete(id);
            this.shardStates.delete(id);
            throw error;
          }
          this.launch(reader);
        }
      } catch (error) {
        if (!this.stopped) this.options.log.warn('DescribeStream failed', { error });
      } finally {
        this.discovering = undefined;
      }
    })();
  }

  private async describeShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.options.client.send(
        new DescribeStreamCommand({ StreamArn: this.options.streamArn, ExclusiveStartShardId: start }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return shards;
  }
}
