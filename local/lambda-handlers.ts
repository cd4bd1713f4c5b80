import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type {
  WebSocketAuthorizerEvent,
  WebSocketConnectEvent,
  WebSocketDisconnectEvent,
  WebSocketMessageEvent,
} from './gateway/websocket-events';

/** The Lambda handlers the emulated services invoke: the very modules deployed to AWS. */
export type AuthorizerHandler = (event: WebSocketAuthorizerEvent, context: Context) => Promise<unknown>;
export type WebSocketHandler = (
  event: WebSocketConnectEvent | WebSocketMessageEvent | WebSocketDisconnectEvent,
  context: Context,
) => Promise<unknown>;
/** Answers a DynamoDBBatchResponse when it reports partial failures; anything else counts as success. */
export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse | unknown>;

export interface LambdaHandlers {
  readonly authorizer: AuthorizerHandler;
  readonly connect: WebSocketHandler;
  readonly disconnect: WebSocketHandler;
  /** Every action route and $default. */
  readonly request: WebSocketHandler;
  readonly fanout: StreamHandler;
}

const HANDLERS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'lambdas', 'handlers');

const importHandler = async <T>(file: string): Promise<T> => {
  const module = (await import(pathToFileURL(join(HANDLERS_DIR, file)).href)) as { handler?: unknown };
  if (typeof module.handler !== 'function') throw new Error(`lambdas/handlers/${file} exports no handler`);
  return module.handler as T;
};

/**
 * Imports lambdas/handlers/*.ts. Call it only after the environment is set: the handlers read it when
 * they build their clients.
 */
export const loadLambdaHandlers = async (): Promise<LambdaHandlers> => {
  const [authorizer, connect, disconnect, request, fanout] = await Promise.all([
    importHandler<AuthorizerHandler>('authorizer.ts'),
    importHandler<WebSocketHandler>('connect.ts'),
    importHandler<WebSocketHandler>('disconnect.ts'),
    importHandler<WebSocketHandler>('request.ts'),
    importHandler<StreamHandler>('fanout.ts'),
  ]);
  return { authorizer, connect, disconnect, request, fanout };
};

/** A Lambda context object for one invocation, as the Node.js runtime passes it. */
export const lambdaContext = (functionName: string, timeoutMs: number, region: string): Context => {
  const deadline = Date.now() + timeoutMs;
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${awsRequestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
};
