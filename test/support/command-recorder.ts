import { type DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';

export interface RecordedCommand {
  name: string;
  input: Record<string, unknown>;
  consumedCapacity?: unknown;
}

/**
 * Records every command a DynamoDB client sends (name, input, consumed capacity), through SDK
 * middleware: the only way to see what DynamoDB Local cannot tell apart, such as ConsistentRead.
 */
export const recordCommands = (client: DynamoDBClient): { commands: RecordedCommand[]; clear(): void } => {
  const commands: RecordedCommand[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const entry: RecordedCommand = {
        name: context.commandName ?? 'unknown',
        input: structuredClone(args.input as Record<string, unknown>),
      };
      commands.push(entry);
      const result = await next(args);
      entry.consumedCapacity = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      return result;
    },
    { step: 'initialize', name: 'testCommandRecorder', priority: 'low' },
  );
  return { commands, clear: () => commands.splice(0) };
};

export type Fault = (commandName: string, input: Record<string, unknown>) => Error | undefined;

/**
 * Injects faults DynamoDB Local never produces. `before` faults fail a command without sending it;
 * `after` faults let the command take effect, then lose its answer (as a network failure would).
 */
export const injectFaults = (client: DynamoDBClient, faults: { before?: Fault; after?: Fault }): void => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      const input = args.input as Record<string, unknown>;
      const early = faults.before?.(name, input);
      if (early) throw early;
      const result = await next(args);
      const late = faults.after?.(name, input);
      if (late) throw late;
      return result;
    },
    { step: 'initialize', name: 'testFaultInjector', priority: 'high' },
  );
};

/**
 * Fails the first `times` TransactWriteItems with a TransactionConflict on the item at `index`
 * (of `items`), as DynamoDB does when another transaction holds one of its items. Answers a
 * function telling how many conflicts are left to inject.
 */
export const injectTransactionConflicts = (
  client: DynamoDBClient,
  times: number,
  conflictIndex: number,
  items: number,
): (() => number) => {
  let left = times;
  injectFaults(client, {
    before: (name) => {
      if (name !== 'TransactWriteItemsCommand' || left <= 0) return undefined;
      left--;
      return new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: Array.from({ length: items }, (_, index) => ({
          Code: index === conflictIndex ? 'TransactionConflict' : 'None',
        })),
      });
    },
  });
  return () => left;
};
