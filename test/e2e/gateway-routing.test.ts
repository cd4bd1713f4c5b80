import { connect } from 'node:net';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually';
import { FakeHandlers } from './support/fake-handlers';
import { type LocalStack, startLocalStack } from './support/local-stack';
import { refusedHandshake, TestSocket } from './support/test-socket';

describe('the local API Gateway, with recording handlers', () => {
  let stack: LocalStack;
  let fakes: FakeHandlers;
  let management: ApiGatewayManagementApiClient;

  beforeAll(async () => {
    fakes = new FakeHandlers();
    stack = await startLocalStack({ handlers: fakes.handlers });
    management = new ApiGatewayManagementApiClient({
      endpoint: stack.runtime.endpoints.connections,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    management?.destroy();
    await stack?.stop();
  });

  const open = (token: string, deviceId: string) =>
    TestSocket.open(`${stack.runtime.wsUrl}?token=${token}&deviceId=${deviceId}`);
  const connectionOf = (userId: string) =>
    stack.runtime.gateway.connections.all().find((connection) => connection.authorizer?.userId === userId);

  it('answers the handshake with what the authorizer and $connect decide, opening no socket on refusal', async () => {
    // Prepare
    const url = (query: string) => `${stack.runtime.wsUrl}?${query}`;
    const connectsBefore = fakes.connectEvents.length;
    const authorizationsBefore = fakes.authorizerEvents.length;

    // Act
    const noIdentitySource = await refusedHandshake(url('deviceId=d1'));
    const unauthorized = await refusedHandshake(url('token=garbage&deviceId=d1'));
    const denied = await refusedHandshake(url('token=user-denied&deviceId=d1'));
    const broken = await refusedHandshake(url('token=throw&deviceId=d1'));
    const refusedByConnect = await refusedHandshake(url('token=user-carol&deviceId=refuse'));
    const crashedConnect = await refusedHandshake(url('token=user-carol&deviceId=crash'));

    // Assess
    expect(
      [noIdentitySource, unauthorized, denied, broken, refusedByConnect, crashedConnect].map((o) => [
        o.statusCode,
        o.opened,
      ]),
    ).toEqual([
      [401, false],
      [401, false],
      [403, false],
      [500, false],
      [403, false],
      [500, false],
    ]);
    expect(fakes.authorizerEvents.length - authorizationsBefore).toBe(5);
    expect(fakes.connectEvents.length - connectsBefore).toBe(2);
    expect(stack.runtime.gateway.connections.size).toBe(0);
  });

  it('refuses a malformed upgrade request with 400 before invoking the authorizer', async () => {
    // Prepare
    const authorizationsBefore = fakes.authorizerEvents.length;
    const { hostname, port } = new URL(stack.runtime.url);

    // Act
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () =>
        socket.write(
          'GET /?token=user-mallory&deviceId=d1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Key: not-a-key\r\nSec-WebSocket-Version: 13\r\n\r\n',
        ),
      );
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString();
      });
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });

    // Assess
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(fakes.authorizerEvents.length).toBe(authorizationsBefore);
  });

  it('routes by action with a $default fallback and sends the integration answer back', async () => {
    // Prepare
    const socket = await open('user-dave', 'd1');

    // Act
    const byAction = await socket.request({ action: 'ping' });
    const unknown = await socket.request({ action: 'teleport' });
    socket.send('not json at all');
    const plain = await socket.waitFor<{ routeKey: string }>(
      (frame) => (frame as { bodyLength?: number })?.bodyLength === 15,
    );

    // Assess
    expect(byAction).toMatchObject({
      routeKey: 'ping',
      authorizer: { userId: 'dave', deviceId: 'd1', principalId: 'dave' },
    });
    expect(unknown).toMatchObject({ routeKey: '$default' });
    expect(plain.routeKey).toBe('$default');
    await socket.close();
  });

  it("sends API Gateway's error frame when the integration fails, and nothing when it answers without a body", async () => {
    // Prepare
    const socket = await open('user-erin', 'd1');

    // Act
    socket.send({ action: 'ping', requestId: 'silent-1' });
    await eventually(() => expect(fakes.completedMessages).toHaveLength(fakes.messageEvents.length));
    socket.send({ action: 'ping', requestId: 'crash-1' });
    const failure = await socket.waitFor<Record<string, string>>(
      (frame) => (frame as { message?: string })?.message === 'Internal server error',
    );

    // Assess
    expect(failure).toEqual({
      message: 'Internal server error',
      connectionId: connectionOf('erin')?.connectionId,
      requestId: expect.any(String),
    });
    expect(socket.received).toHaveLength(1);
    await socket.close();
  });

  it('invokes $disconnect with the close code and the authorizer context when a client closes', async () => {
    // Prepare
    const socket = await open('user-frank', 'd1');
    const connectionId = connectionOf('frank')?.connectionId;

    // Act
    await socket.close(4000);

    // Assess
    await eventually(() =>
      expect(
        fakes.disconnectEvents.find((event) => event.requestContext.connectionId === connectionId),
      ).toBeDefined(),
    );
    const event = fakes.disconnectEvents.find(
      (candidate) => candidate.requestContext.connectionId === connectionId,
    );
    expect(event?.requestContext).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      disconnectStatusCode: 4000,
      authorizer: { userId: 'frank', deviceId: 'd1' },
    });
  });

  it('serves @connections to the real ApiGatewayManagementApiClient: post, get, delete, 410 and 413', async () => {
    // Prepare
    const socket = await open('user-grace', 'd1');
    const ConnectionId = connectionOf('grace')?.connectionId as string;

    // Act
    await management.send(
      new PostToConnectionCommand({ ConnectionId, Data: Buffer.from('{"type":"hello"}') }),
    );
    const described = await management.send(new GetConnectionCommand({ ConnectionId }));
    const tooLarge = management.send(
      new PostToConnectionCommand({ ConnectionId, Data: Buffer.alloc(128 * 1024 + 1, 0x61) }),
    );
    await expect(tooLarge).rejects.toBeInstanceOf(PayloadTooLargeException);
    await management.send(new DeleteConnectionCommand({ ConnectionId }));
    const closed = await socket.closed;
    const afterDelete = management.send(
      new PostToConnectionCommand({ ConnectionId, Data: Buffer.from('{}') }),
    );

    // Assess
    expect(await socket.waitFor((frame) => (frame as { type?: string })?.type === 'hello')).toEqual({
      type: 'hello',
    });
    expect(described.ConnectedAt).toBeInstanceOf(Date);
    expect(described.LastActiveAt).toBeInstanceOf(Date);
    expect(described.Identity?.SourceIp).toBe('127.0.0.1');
    expect(closed.code).toBe(1000);
    await expect(afterDelete).rejects.toBeInstanceOf(GoneException);
    await expect(
      management.send(new GetConnectionCommand({ ConnectionId: 'NoSuchConnect1=' })),
    ).rejects.toBeInstanceOf(GoneException);
    await eventually(() =>
      expect(fakes.disconnectEvents.some((event) => event.requestContext.connectionId === ConnectionId)).toBe(
        true,
      ),
    );
  });

  it('closes with 1009 a frame over 32 KB and a message over 128 KB, without invoking a route', async () => {
    // Prepare
    const bigFrame = await open('user-heidi', 'd1');
    const bigMessage = await open('user-ivan', 'd1');
    const invocationsBefore = fakes.messageEvents.length;

    // Act
    bigFrame.send(`{"action":"ping","pad":"${'x'.repeat(32 * 1024)}"}`);
    for (let part = 0; part < 5; part += 1) bigMessage.send('y'.repeat(30_000), { fin: part === 4 });
    const [frameClosed, messageClosed] = await Promise.all([bigFrame.closed, bigMessage.closed]);

    // Assess
    expect(frameClosed.code).toBe(1009);
    expect(messageClosed.code).toBe(1009);
    expect(fakes.messageEvents.length).toBe(invocationsBefore);
  });

  it('accepts a 90 KB message sent as three 30 KB frames', async () => {
    // Prepare
    const socket = await open('user-judy', 'd1');
    const body = JSON.stringify({ action: 'ping', pad: 'z'.repeat(90_000) });
    const parts = [body.slice(0, 30_000), body.slice(30_000, 60_000), body.slice(60_000)];

    // Act
    for (const [index, part] of parts.entries()) socket.send(part, { fin: index === parts.length - 1 });
    const echo = await socket.waitFor<{ routeKey: string; bodyLength: number }>((frame) =>
      Boolean((frame as { bodyLength?: number })?.bodyLength),
    );

    // Assess
    expect(echo).toMatchObject({ routeKey: 'ping', bodyLength: body.length });
    expect(socket.isOpen).toBe(true);
    await socket.close();
  });
});
