import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface CapacityTally {
  calls: Map<string, number>;
  /** Capacity units per command name. */
  units: Map<string, number>;
  readUnits: number;
  writeUnits: number;
  total: number;
}

const CAPACITY_COMMANDS = new Set([
  'GetItemCommand',
  'BatchGetItemCommand',
  'QueryCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
  'TransactGetItemsCommand',
  'BatchWriteItemCommand',
]);

/**
 * Counts calls and consumed capacity of a DynamoDB client: SDK middleware asks every command for
 * ReturnConsumedCapacity TOTAL and adds up what comes back.
 */
export const meterCapacity = (client: DynamoDBClient) => {
  const empty = (): CapacityTally => ({
    calls: new Map(),
    units: new Map(),
    readUnits: 0,
    writeUnits: 0,
    total: 0,
  });
  let tally = empty();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      const input = args.input as Record<string, unknown>;
      if (CAPACITY_COMMANDS.has(name)) input.ReturnConsumedCapacity = 'TOTAL';
      tally.calls.set(name, (tally.calls.get(name) ?? 0) + 1);
      try {
        const result = await next(args);
        add(name, (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity);
        return result;
      } catch (error) {
        tally.calls.set(`${name} (failed)`, (tally.calls.get(`${name} (failed)`) ?? 0) + 1);
        throw error;
      }
    },
    { step: 'initialize', name: 'benchCapacityMeter', priority: 'high' },
  );
  const add = (name: string, capacity: unknown) => {
    for (const entry of Array.isArray(capacity) ? capacity : capacity ? [capacity] : []) {
      const {
        CapacityUnits = 0,
        ReadCapacityUnits = 0,
        WriteCapacityUnits = 0,
      } = entry as Record<string, number>;
      tally.readUnits += ReadCapacityUnits;
      tally.writeUnits += WriteCapacityUnits;
      tally.total += CapacityUnits;
      tally.units.set(name, (tally.units.get(name) ?? 0) + CapacityUnits);
    }
  };
  return {
    /** Runs `work` and answers what it cost. */
    async measure<T>(work: () => Promise<T>): Promise<{ result: T; tally: CapacityTally }> {
      tally = empty();
      const result = await work();
      const spent = tally;
      tally = empty();
      return { result, tally: spent };
    },
  };
};

export const describeTally = (tally: CapacityTally): string => {
  const calls = [...tally.calls.entries()]
    .map(
      ([name, count]) =>
        `${name.replace('Command', '')}×${count} ${(tally.units.get(name) ?? 0).toFixed(1)} CU`,
    )
    .join(', ');
  const count = [...tally.calls.values()].reduce((sum, value) => sum + value, 0);
  return `${count} calls (${calls}); ${tally.total.toFixed(1)} CU in all, as DynamoDB Local counts them`;
};
