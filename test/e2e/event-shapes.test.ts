import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type {
  APIGatewayEventWebsocketRequestContextV2,
  APIGatewayProxyWebsocketEventV2,
  APIGatewayRequestAuthorizerEvent,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Entity, Keys } from '../../lambdas/shared/table-schema';
import type {
  WebSocketAuthorizerEvent,
  WebSocketConnectEvent,
  WebSocketDisconnectEvent,
  WebSocketMessageEvent,
} from '../../local/gateway/websocket-events';
import type { StreamFailureRecord } from '../../local/stream/dead-letter-queue';
import { compareShapes, shapeOf } from './support/event-shape';
import { eventually } from './support/eventually';
import { FakeHandlers } from './support/fake-handlers';
import { type LocalStack, startLocalStack } from './support/local-stack';
import { TestSocket } from './support/test-socket';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'aws-events', name), 'utf8'));

/** Maps whose keys are data, not shape. */
const MAPS = [
  'headers',
  'multiValueHeaders',
  'queryStringParameters',
  'multiValueQueryStringParameters',
  'stageVariables',
  'requestContext.authorizer',
  'Records[].dynamodb.Keys',
  'Records[].dynamodb.NewImage',
  'Records[].dynamodb.OldImage',
  'payload',
];

// Compile-time checks against @types/aws-lambda: these only type-check if the shapes agree.
type WithoutMessageId = Omit<APIGatewayEventWebsocketRequestContextV2, 'messageId'>;
const asAwsMessage = (event: WebSocketMessageEvent): APIGatewayProxyWebsocketEventV2 => event;
const asAwsConnectContext = (event: WebSocketConnectEvent): WithoutMessageId => event.requestContext;
const asAwsDisconnectContext = (event: WebSocketDisconnectEvent): WithoutMessageId => event.requestContext;
const asAwsAuthorizer = (
  event: WebSocketAuthorizerEvent,
): Pick<
  APIGatewayRequestAuthorizerEvent,
  | 'type'
  | 'methodArn'
  | 'headers'
  | 'multiValueHeaders'
  | 'queryStringParameters'
  | 'multiValueQueryStringParameters'
> => event;

describe('the events the local runtime produces, against recorded AWS events', () => {
  let stack: LocalStack;
  let fakes: FakeHandlers;
  const streamEvents: DynamoDBStreamEvent[] = [];

  beforeAll(async () => {
    fakes = new FakeHandlers();
    stack = await startLocalStack({
      handlers: {
        ...fakes.handlers,
        fanout: async (event) => {
          streamEvents.push(event);
          throw new Error('always fails, to reach the dead-letter queue');
        },
      },
      streamSettings: { retryAttempts: 0, bisectBatchOnError: false },
      streamRetryDelayMs: () => 0,
    });
    const socket = await TestSocket.open(
      `${stack.runtime.wsUrl}?token=user-olga&deviceId=d1&QueryString1=queryValue1`,
    );
    await socket.request({ action: 'ping' });
    await socket.close();
    await stack.db.send(
      new PutCommand({
        TableName: stack.runtime.tableName,
        Item: { ...Keys.message('dm:a:b', 1), entity: Entity.message, body: 'hi', blob: Buffer.from([1, 2]) },
      }),
    );
    await eventually(() => expect(stack.runtime.dlq.list()).toHaveLength(1));
    await eventually(() => expect(fakes.disconnectEvents).toHaveLength(1));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const expectSameShape = (produced: unknown, recordedFile: string, allowedExtra: string[] = []) => {
    const difference = compareShapes(shapeOf(produced, MAPS), shapeOf(fixture(recordedFile), MAPS));
    expect(difference.missing).toEqual([]);
    expect(difference.mistyped).toEqual([]);
    expect(difference.extra.filter((path) => !allowedExtra.includes(path))).toEqual([]);
  };

  it('builds the REQUEST authorizer input as API Gateway does', () => {
    // Prepare / Act
    const event = asAwsAuthorizer(fakes.authorizerEvents[0] as WebSocketAuthorizerEvent);

    // Assess
    expectSameShape(event, 'websocket-authorizer-request.json', ['requestContext.identity.userAgent']);
    expect(event.methodArn).toMatch(/^arn:aws:execute-api:us-east-1:000000000000:local\/local\/\$connect$/);
  });

  it('builds $connect, message and $disconnect events as API Gateway does, the authorizer context on each', () => {
    // Prepare
    const connect = fakes.connectEvents[0] as WebSocketConnectEvent;
    const message = fakes.messageEvents[0] as WebSocketMessageEvent;
    const disconnect = fakes.disconnectEvents[0] as WebSocketDisconnectEvent;
    const authorized = ['requestContext.authorizer', 'requestContext.identity.userAgent'];

    // Act
    asAwsConnectContext(connect);
    asAwsMessage(message);
    asAwsDisconnectContext(disconnect);

    // Assess
    expectSameShape(connect, 'websocket-connect.json', [
      ...authorized,
      'queryStringParameters',
      'multiValueQueryStringParameters',
    ]);
    expectSameShape(message, 'websocket-message.json', authorized);
    expectSameShape(disconnect, 'websocket-disconnect.json', authorized);
    for (const event of [connect, message, disconnect]) {
      expect(event.requestContext.authorizer).toMatchObject({
        userId: 'olga',
        deviceId: 'd1',
        principalId: 'olga',
      });
      expect(event.requestContext.connectionId).toBe(connect.requestContext.connectionId);
      expect(event.requestContext.requestId).toBe(event.requestContext.extendedRequestId);
      expect(event.requestContext.requestTime).toMatch(
        /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/,
      );
    }
    expect(connect.queryStringParameters).toMatchObject({ deviceId: 'd1', QueryString1: 'queryValue1' });
    expect(disconnect.requestContext.disconnectStatusCode).toBe(1000);
  });

  it('hands the fan-out DynamoDBStreamEvents as Lambda does, with epoch-second timestamps and base64 binaries', () => {
    // Prepare
    const [event] = streamEvents;
    const record = event?.Records[0] as DynamoDBRecord;

    // Act / Assess
    expectSameShape(event, 'dynamodb-stream-event.json');
    expect(record.eventSourceARN).toBe(stack.runtime.streamArn);
    // DynamoDB Local, like DynamoDB, rounds the creation time down (to the minute).
    const createdAt = record.dynamodb?.ApproximateCreationDateTime as number;
    expect(Number.isInteger(createdAt)).toBe(true);
    expect(createdAt).toBeLessThanOrEqual(Date.now() / 1000);
    expect(createdAt).toBeGreaterThan(Date.now() / 1000 - 180);
    expect(record.dynamodb?.NewImage?.blob).toEqual({ B: 'AQI=' });
  });

  it("records a discarded batch like Lambda's on-failure destination, and serves it at /dev/dlq", async () => {
    // Prepare / Act
    const response = await fetch(`${stack.runtime.url}/dev/dlq`);
    const { records } = (await response.json()) as { records: StreamFailureRecord[] };

    // Assess
    expectSameShape(records[0], 'dynamodb-stream-invocation-record.json', ['payload']);
    expect(records[0]?.DDBStreamBatchInfo.streamArn).toBe(stack.runtime.streamArn);
    expect(records[0]?.DDBStreamBatchInfo.approximateArrivalOfFirstRecord).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/,
    );
  });
});
