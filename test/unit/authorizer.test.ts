import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenVerifier } from '../../lambdas/adapters/token-verifier';
import { authorize } from '../../lambdas/handlers/authorizer';
import { startTestIssuer } from '../support/jwt-issuer';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/$connect';

const connectEvent = (query: Record<string, string>): APIGatewayRequestAuthorizerEvent =>
  ({
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    headers: {},
    queryStringParameters: query,
    requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId: 'abc=' },
  }) as unknown as APIGatewayRequestAuthorizerEvent;

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('authorizer', () => {
  let issuer: Awaited<ReturnType<typeof startTestIssuer>>;
  let verifier: TokenVerifier;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    issuer = await startTestIssuer();
    verifier = new TokenVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUrl: issuer.jwksUrl,
    });
  });

  afterAll(() => issuer.stop());

  it('allows a valid token and passes the user and device to every route', async () => {
    // Prepare
    const token = await issuer.sign({ sub: 'alice' });

    // Act
    const result = await authorize(connectEvent({ token, deviceId: 'phone-1' }), verifier);

    // Assess
    expect(result.principalId).toBe('alice');
    expect(result.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN },
    ]);
    expect(result.context).toEqual({ userId: 'alice', deviceId: 'phone-1' });
  });

  it('accepts a Cognito access token that names the client in client_id instead of aud', async () => {
    // Prepare
    const token = await issuer.sign({
      sub: 'alice',
      aud: 'someone-else',
      client_id: issuer.audience,
      token_use: 'access',
    });

    // Act
    const result = await authorize(connectEvent({ token, deviceId: 'web' }), verifier);

    // Assess
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
  });

  it.each([
    ['expired', () => issuer.sign({ sub: 'alice', exp: now() - 3600 })],
    ['not yet valid', () => issuer.sign({ sub: 'alice', nbf: now() + 3600 })],
    ['from the wrong issuer', () => issuer.sign({ sub: 'alice', iss: 'https://evil.example.com' })],
    ['for the wrong audience', () => issuer.sign({ sub: 'alice', aud: 'another-app' })],
    ['without a subject', () => issuer.sign({})],
    [
      'signed with another key',
      async () => issuer.sign({ sub: 'alice' }, { key: (await generateKeyPair('RS256')).privateKey }),
    ],
    [
      'unsigned (alg: none)',
      async () =>
        `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'alice', iss: issuer.issuer, aud: issuer.audience, exp: now() + 3600 })}.`,
    ],
    [
      'with a tampered payload',
      async () => {
        const [header, , signature] = (await issuer.sign({ sub: 'alice' })).split('.');
        return `${header}.${base64url({ sub: 'admin', iss: issuer.issuer, aud: issuer.audience, exp: now() + 3600 })}.${signature}`;
      },
    ],
    ['that is not a JWT', async () => 'not-a-token'],
  ])('refuses a token that is %s with 401 Unauthorized', async (_name, makeToken) => {
    // Prepare
    const token = await makeToken();

    // Act / Assess
    await expect(authorize(connectEvent({ token, deviceId: 'phone-1' }), verifier)).rejects.toThrow(
      'Unauthorized',
    );
  });

  it('refuses a handshake without a token with 401 Unauthorized', async () => {
    await expect(authorize(connectEvent({ deviceId: 'phone-1' }), verifier)).rejects.toThrow('Unauthorized');
  });

  it.each([
    ['missing', {}],
    ['too long', { deviceId: 'd'.repeat(65) }],
    ['with forbidden characters', { deviceId: 'phone#1' }],
  ])('denies (403) a valid token whose deviceId is %s', async (_name, query) => {
    // Prepare
    const token = await issuer.sign({ sub: 'alice' });

    // Act
    const result = await authorize(connectEvent({ token, ...query }), verifier);

    // Assess
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    expect(result.context).toBeUndefined();
  });

  it('denies a subject outside the protocol user id pattern', async () => {
    // Prepare
    const token = await issuer.sign({ sub: 'alice#admin' });

    // Act
    const result = await authorize(connectEvent({ token, deviceId: 'phone-1' }), verifier);

    // Assess
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
  });
});
