import type { DynamoDBStreamEvent } from 'aws-lambda';

export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/**
 * What Lambda sends to a stream event source's on-failure destination: metadata of the discarded
 * batch. `payload` (the records themselves) is what only an S3 destination gets in AWS; kept here
 * because locally it is the quickest way to see what was dropped.
 */
export interface StreamFailureRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: FailureCondition;
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError?: string;
  };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly DDBStreamBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
  readonly payload: DynamoDBStreamEvent;
}

/** The stand-in for the event source mapping's on-failure destination (an SQS queue in AWS). */
export class DeadLetterQueue {
  private readonly entries: StreamFailureRecord[] = [];
  private readonly listeners = new Set<(record: StreamFailureRecord) => void>();

  add(record: StreamFailureRecord): void {
    this.entries.push(record);
    for (const listener of this.listeners) listener(record);
  }

  /** Oldest first. */
  list(): StreamFailureRecord[] {
    return [...this.entries];
  }

  /** Called for every record added from now on; returns the unsubscribe function. */
  subscribe(listener: (record: StreamFailureRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
