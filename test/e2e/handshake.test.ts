import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keys } from '../../lambdas/shared/table-schema';
import { eventually } from './support/eventually';
import { type LocalStack, startLocalStack } from './support/local-stack';
import { refusedHandshake } from './support/test-socket';

describe('the WebSocket handshake on the local runtime', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const items = async () =>
    (await stack.db.send(new ScanCommand({ TableName: stack.runtime.tableName, ConsistentRead: true })))
      .Items ?? [];

  it('refuses a handshake without a token with 401, opens no socket and stores nothing', async () => {
    // Prepare
    const url = `${stack.runtime.wsUrl}?deviceId=laptop`;

    // Act
    const outcome = await refusedHandshake(url);

    // Assess
    expect(outcome).toMatchObject({ statusCode: 401, opened: false });
    expect(JSON.parse(outcome.body)).toEqual({ message: 'Unauthorized' });
    expect(stack.runtime.gateway.connections.size).toBe(0);
    expect(await items()).toEqual([]);
  });

  it('refuses a token signed by another key, an expired token and garbage with 401', async () => {
    // Prepare
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: stack.runtime.identity.jwks().keys[0]?.kid as string })
      .setSubject('alice')
      .setIssuer(stack.runtime.endpoints.issuer)
      .setAudience(stack.runtime.endpoints.audience)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    const { token: expired } = await stack.runtime.issueToken('alice', { expiresInSeconds: -120 });

    // Act
    const outcomes = await Promise.all(
      [forged, expired, 'not-a-jwt'].map((token) =>
        refusedHandshake(`${stack.runtime.wsUrl}?token=${encodeURIComponent(token)}&deviceId=laptop`),
      ),
    );

    // Assess
    expect(outcomes.map((outcome) => outcome.statusCode)).toEqual([401, 401, 401]);
    expect(outcomes.every((outcome) => !outcome.opened)).toBe(true);
    expect(await items()).toEqual([]);
  });

  it('refuses a valid token without a deviceId, or with an invalid one, with 403', async () => {
    // Prepare
    const { token } = await stack.token('alice');

    // Act
    const missing = await refusedHandshake(`${stack.runtime.wsUrl}?token=${token}`);
    const invalid = await refusedHandshake(
      `${stack.runtime.wsUrl}?token=${token}&deviceId=${'x'.repeat(65)}`,
    );

    // Assess
    expect(missing).toMatchObject({ statusCode: 403, opened: false });
    expect(JSON.parse(missing.body)).toEqual({ message: 'Forbidden' });
    expect(invalid).toMatchObject({ statusCode: 403, opened: false });
    expect(stack.runtime.gateway.connections.size).toBe(0);
    expect(await items()).toEqual([]);
  });

  it('accepts a valid token and deviceId and stores the connection under the user until it closes', async () => {
    // Prepare / Act
    const socket = await stack.connect('alice', 'laptop');

    // Assess
    const [connection] = stack.runtime.gateway.connections.all();
    expect(connection?.authorizer).toMatchObject({
      userId: 'alice',
      deviceId: 'laptop',
      principalId: 'alice',
    });
    const stored = await items();
    expect(stored).toContainEqual(
      expect.objectContaining(Keys.connection('alice', connection?.connectionId as string)),
    );

    // Act
    await socket.close();

    // Assess
    await eventually(async () => {
      expect((await items()).filter((item) => String(item.sk).startsWith(Keys.connectionPrefix))).toEqual([]);
    });
  });
});
