import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidUserIdError, LocalIdentityProvider } from '../../../local/identity/local-identity-provider';

const OPTIONS = { issuer: 'http://127.0.0.1:1/local-idp', audience: 'messenger-local' };

describe('LocalIdentityProvider', () => {
  const dirs: string[] = [];

  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('issues RS256 tokens with kid, sub, iss, aud, iat and exp that verify against its JWKS', async () => {
    // Prepare
    const provider = await LocalIdentityProvider.create(OPTIONS);

    // Act
    const issued = await provider.issueToken('alice@example.com');

    // Assess
    const { payload } = await jwtVerify(issued.token, createLocalJWKSet(provider.jwks()), {
      issuer: OPTIONS.issuer,
      audience: OPTIONS.audience,
      algorithms: ['RS256'],
    });
    expect(payload.sub).toBe('alice@example.com');
    expect((payload.exp as number) - (payload.iat as number)).toBe(3600);
    expect(decodeProtectedHeader(issued.token).kid).toBe(provider.jwks().keys[0]?.kid);
    expect(Date.parse(issued.expiresAt)).toBe((payload.exp as number) * 1000);
    expect(provider.jwks().keys[0]).not.toHaveProperty('d');
  });

  it('keeps its key in the key file, so tokens survive a restart', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'idp-'));
    dirs.push(dir);
    const keyFile = join(dir, 'identity', 'signing-key.json');
    const first = await LocalIdentityProvider.create({ ...OPTIONS, keyFile });
    const token = (await first.issueToken('bob')).token;

    // Act
    const second = await LocalIdentityProvider.create({ ...OPTIONS, keyFile });

    // Assess
    await expect(jwtVerify(token, createLocalJWKSet(second.jwks()))).resolves.toBeDefined();
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(keyFile, 'utf8'))).toHaveProperty('d');
  });

  it('refuses user ids outside the protocol pattern', async () => {
    // Prepare
    const provider = await LocalIdentityProvider.create(OPTIONS);

    // Act / Assess
    await expect(provider.issueToken('not allowed!')).rejects.toBeInstanceOf(InvalidUserIdError);
    await expect(provider.issueToken('')).rejects.toBeInstanceOf(InvalidUserIdError);
  });
});
