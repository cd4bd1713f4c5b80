import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { FanoutChange } from '../domain/fanout';
import { Entity } from '../shared/table-schema';
import { type Item, toMessage } from './items';

export class MalformedRecordError extends Error {
  constructor(readonly sequenceNumber: string) {
    super(`Stream record ${sequenceNumber} is not a well-formed message`);
    this.name = 'MalformedRecordError';
  }
}

/**
 * Decodes stream records into the changes the fan-out acts on. Records it has no use for (the
 * filter criteria should keep them away) decode to nothing.
 */
export const toFanoutChange = (record: DynamoDBRecord): FanoutChange | undefined => {
  const id = record.dynamodb?.SequenceNumber;
  const image = record.dynamodb?.NewImage;
  if (!id || !image || record.eventName !== 'INSERT') return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>) as Item;
  if (item.entity !== Entity.message) return undefined;
  const message = toMessage(item);
  if (
    typeof message.conversationId !== 'string' ||
    !Number.isSafeInteger(message.seq) ||
    message.seq < 1 ||
    typeof message.senderId !== 'string' ||
    typeof message.body !== 'string'
  ) {
    throw new MalformedRecordError(id);
  }
  return { id, conversationId: message.conversationId, event: { type: 'message', message }, message };
};
