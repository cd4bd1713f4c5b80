import { Entity, TABLE } from './table-schema';

const entityIs = (image: 'NewImage' | 'OldImage', entity: string) => ({
  [image]: { [TABLE.entityAttribute]: { S: [entity] } },
});

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
   * Lambda event filter patterns (any one may match). Only the records the fan-out acts on invoke it:
   * a new message; a read position that moved (receipts); a presence item that changed (online/offline
   * transitions); a connection item deleted (TTL expiry: its presence entry is forgotten).
   */
  filterPatterns: [
    { eventName: ['INSERT'], dynamodb: entityIs('NewImage', Entity.message) },
    { eventName: ['MODIFY'], dynamodb: entityIs('NewImage', Entity.inbox) },
    { eventName: ['INSERT', 'MODIFY'], dynamodb: entityIs('NewImage', Entity.presence) },
    { eventName: ['REMOVE'], dynamodb: entityIs('OldImage', Entity.connection) },
  ] as Record<string, unknown>[],
} as const;
