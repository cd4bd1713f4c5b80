import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { FanoutChange } from '../domain/fanout';
import { Entity } from '../shared/table-schema';
import { type Item, toMessage } from './items';
import { parseEntries } from './presence-store';

export class MalformedRecordError extends Error {
  constructor(readonly sequenceNumber: string) {
    super(`Stream record ${sequenceNumber} is not well formed`);
    this.name = 'MalformedRecordError';
  }
}

const image = (value: unknown): Item | undefined =>
  value ? (unmarshall(value as Record<string, AttributeValue>) as Item) : undefined;

const isOnline = (item: Item | undefined): boolean =>
  Object.keys(parseEntries(item?.connectionEntries)).length > 0;

/**
 * Decodes stream records into the changes the fan-out acts on. Records it has no use for (the
 * filter criteria keep most of them away) decode to nothing; a record of the right kind that does
 * not hold together throws MalformedRecordError (a poison record).
 */
export const toFanoutChange = (record: DynamoDBRecord): FanoutChange | undefined => {
  const id = record.dynamodb?.SequenceNumber;
  if (!id) return undefined;
  const next = image(record.dynamodb?.NewImage);
  const previous = image(record.dynamodb?.OldImage);
  const entity = (next ?? previous)?.entity;

  if (entity === Entity.message && record.eventName === 'INSERT' && next) {
    const message = toMessage(next);
    const wellFormed =
      typeof message.conversationId === 'string' &&
      Number.isSafeInteger(message.seq) &&
      message.seq >= 1 &&
      typeof message.senderId === 'string' &&
      typeof message.body === 'string';
    if (!wellFormed) throw new MalformedRecordError(id);
    return { id, type: 'message', message };
  }

  if (entity === Entity.inbox && record.eventName === 'MODIFY' && next) {
    const readSeq = next.readSeq;
    if (typeof readSeq !== 'number' || typeof next.userId !== 'string') throw new MalformedRecordError(id);
    if (readSeq <= ((previous?.readSeq as number | undefined) ?? 0)) return undefined;
    return {
      id,
      type: 'receipt',
      conversationId: next.conversationId as string,
      userId: next.userId,
      readSeq,
    };
  }

  if (
    entity === Entity.presence &&
    (record.eventName === 'INSERT' || record.eventName === 'MODIFY') &&
    next
  ) {
    if (typeof next.userId !== 'string') throw new MalformedRecordError(id);
    const online = isOnline(next);
    if (online === isOnline(previous)) return undefined;
    const lastSeen = (next.lastSeen as string | undefined) ?? null;
    return { id, type: 'presence', userId: next.userId, status: online ? 'online' : 'offline', lastSeen };
  }

  if (entity === Entity.connection && record.eventName === 'REMOVE' && previous) {
    if (typeof previous.userId !== 'string') throw new MalformedRecordError(id);
    const presenceEntry = previous.presenceEntry;
    return {
      id,
      type: 'connection-removed',
      userId: previous.userId,
      ...(typeof presenceEntry === 'string' ? { presenceEntry } : {}),
    };
  }

  return undefined;
};
