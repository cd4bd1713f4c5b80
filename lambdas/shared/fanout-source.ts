import { Entity, TABLE } from './table-schema';

/**
 * How the stream invokes the fan-out Lambda: one definition read by the CDK stack (the event source
 * mapping) and by the local stream poller, so the two cannot drift.
 */
export const FANOUT_SOURCE = {
  batchSize: 100,
  /** Records are handed over as soon as they arrive: latency matters more than batch size. */
  maxBatchingWindowSeconds: 0,
  /** Bounded retries of a failing batch before its records go to the on-failure destination. */
  retryAttempts: 3,
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
  /** Records older than this are sent to the on-failure destination instead of being retried. */
  maxRecordAgeSeconds: 3600,
  /** One batch per shard at a time keeps each conversation's records in sequence order. */
  parallelizationFactor: 1,
  startingPosition: 'LATEST',
  /**
   * Lambda event filter patterns (any one may match). Only the items the fan-out acts on invoke it:
   * a new message in a conversation's log.
   */
  filterPatterns: [
    {
      eventName: ['INSERT'],
      dynamodb: { NewImage: { [TABLE.entityAttribute]: { S: [Entity.message] } } },
    },
  ] as Record<string, unknown>[],
} as const;
