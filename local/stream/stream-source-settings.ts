import { FANOUT_SOURCE } from '../../lambdas/shared/fanout-source';
import type { FilterPattern } from './event-filter';

/** The event source mapping settings the poller honours (those of `FANOUT_SOURCE`, which CDK deploys). */
export interface StreamSourceSettings {
  readonly batchSize: number;
  /** How long records are gathered, up to batchSize, before the function is invoked; 0 = at once. */
  readonly maxBatchingWindowSeconds: number;
  /** Retries of a failing batch before it goes to the dead-letter queue; -1 retries until the records expire. */
  readonly retryAttempts: number;
  readonly bisectBatchOnError: boolean;
  readonly reportBatchItemFailures: boolean;
  /** Older records go to the dead-letter queue instead of the function; -1 means no limit. */
  readonly maxRecordAgeSeconds: number;
  readonly filterPatterns: readonly FilterPattern[];
  readonly startingPosition: 'LATEST' | 'TRIM_HORIZON';
}

export const FANOUT_SOURCE_SETTINGS: StreamSourceSettings = {
  batchSize: FANOUT_SOURCE.batchSize,
  maxBatchingWindowSeconds: FANOUT_SOURCE.maxBatchingWindowSeconds,
  retryAttempts: FANOUT_SOURCE.retryAttempts,
  bisectBatchOnError: FANOUT_SOURCE.bisectBatchOnError,
  reportBatchItemFailures: FANOUT_SOURCE.reportBatchItemFailures,
  maxRecordAgeSeconds: FANOUT_SOURCE.maxRecordAgeSeconds,
  filterPatterns: FANOUT_SOURCE.filterPatterns,
  startingPosition: FANOUT_SOURCE.startingPosition as StreamSourceSettings['startingPosition'],
};
