import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { tableDependencies } from '../adapters/dependencies';
import { toFanoutChange } from '../adapters/stream-changes';
import type { FanoutChange, FanoutService } from '../domain/fanout';
import { logger } from '../shared/logger';

/**
 * The stream consumer: decodes the batch and delivers it. A record that cannot be decoded is a
 * poison record: it is reported as failed, so after the bounded retries it goes to the dead-letter
 * queue without blocking the shard. Delivery failures are reported per record (ReportBatchItemFailures).
 */
export const handleStream = async (
  event: DynamoDBStreamEvent,
  fanout: FanoutService,
): Promise<DynamoDBBatchResponse> => {
  const changes: FanoutChange[] = [];
  const failures: string[] = [];
  for (const record of event.Records) {
    try {
      const change = toFanoutChange(record);
      if (change) changes.push(change);
    } catch (error) {
      const id = record.dynamodb?.SequenceNumber;
      logger.error('undecodable stream record', { eventID: record.eventID, sequenceNumber: id, error });
      if (id) failures.push(id);
    }
  }
  failures.push(...(await fanout.deliver(changes)));
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
};

export const handler = (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
  handleStream(event, tableDependencies().fanout);
