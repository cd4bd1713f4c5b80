import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fullJitterDelay, sleep } from '../domain/backoff';
import { InternalError } from '../shared/errors';
import type { Key } from '../shared/table-schema';
import type { Item } from './items';

const CHUNK = 100;
const UNPROCESSED_RETRIES = 8;

/**
 * Strongly consistent BatchGetItem of any number of keys, following UnprocessedKeys with backoff.
 * Answers the items found, in no particular order.
 */
export const consistentBatchGet = async (
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: Key[],
): Promise<Item[]> => {
  const found: Item[] = [];
  for (let start = 0; start < keys.length; start += CHUNK) {
    let pending: Record<string, unknown>[] = keys.slice(start, start + CHUNK).map((key) => ({ ...key }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) throw new InternalError('BatchGetItem left keys unprocessed');
      if (attempt > 0) await sleep(fullJitterDelay({ maxAttempts: 0, baseMs: 20, capMs: 1000 }, attempt));
      const result = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      found.push(...((result.Responses?.[tableName] ?? []) as Item[]));
      pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return found;
};

const keyOf = (item: Item): string => `${item.pk as string}\u0000${item.sk as string}`;
const keyString = (key: Key): string => `${key.pk}\u0000${key.sk}`;

/** Like consistentBatchGet, answering each key's item (or undefined) in the order of the keys. */
export const consistentGetEach = async (
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: Key[],
): Promise<(Item | undefined)[]> => {
  const found = new Map(
    (await consistentBatchGet(client, tableName, keys)).map((item) => [keyOf(item), item]),
  );
  return keys.map((key) => found.get(keyString(key)));
};
