import type { TestProject } from 'vitest/node';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local';

/**
 * Starts one DynamoDB Local (in memory, free port) for the whole run and stops it by pid afterwards,
 * whether the tests passed or not. Each test file makes its own table, so files never share data.
 */
let dynamo: DynamoDbLocal | undefined;

export async function setup(project: TestProject): Promise<void> {
  dynamo = await startDynamoDbLocal();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  const stopOnExit = () => {
    if (dynamo) process.kill(dynamo.pid, 'SIGKILL');
  };
  process.once('exit', stopOnExit);
}

export async function teardown(): Promise<void> {
  await dynamo?.stop();
  dynamo = undefined;
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
