import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { USER_ID_PATTERN } from '../../lambdas/shared/protocol';

export interface LocalIdentityProviderOptions {
  /** `iss` of the tokens, e.g. `http://127.0.0.1:8080/local-idp`. */
  readonly issuer: string;
  /** `aud` of the tokens. */
  readonly audience: string;
  /** Where the signing key is kept across restarts; a fresh key per start when omitted. */
  readonly keyFile?: string;
  /** Token lifetime. Default 1 hour. */
  readonly tokenTtlSeconds?: number;
}

export interface IssuedToken {
  readonly token: string;
  readonly userId: string;
  readonly expiresAt: string;
}

export class InvalidUserIdError extends Error {
  constructor() {
    super(`userId must match ${USER_ID_PATTERN}`);
    this.name = 'InvalidUserIdError';
  }
}

type SigningKey = Awaited<ReturnType<typeof importJWK>>;

const loadOrCreateKey = async (keyFile: string | undefined): Promise<JWK> => {
  if (keyFile) {
    try {
      return JSON.parse(await readFile(keyFile, 'utf8')) as JWK;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  if (keyFile) {
    await mkdir(dirname(keyFile), { recursive: true });
    const temporary = `${keyFile}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(jwk), { mode: 0o600 });
    await rename(temporary, keyFile);
  }
  return jwk;
};

/**
 * The offline stand-in for Cognito: one RSA key, its JWKS, and RS256 tokens for any valid user id.
 * The authorizer verifies them through the same code and settings as Cognito's tokens.
 */
export class LocalIdentityProvider {
  private constructor(
    private readonly options: LocalIdentityProviderOptions,
    private readonly signingKey: SigningKey,
    private readonly publicJwk: JWK,
  ) {}

  static async create(options: LocalIdentityProviderOptions): Promise<LocalIdentityProvider> {
    const privateJwk = await loadOrCreateKey(options.keyFile);
    const { kty, n, e } = privateJwk;
    const kid = await calculateJwkThumbprint({ kty, n, e } as JWK);
    const publicJwk: JWK = { kty, n, e, kid, alg: 'RS256', use: 'sig' };
    return new LocalIdentityProvider(options, await importJWK(privateJwk, 'RS256'), publicJwk);
  }

  get issuer(): string {
    return this.options.issuer;
  }

  get audience(): string {
    return this.options.audience;
  }

  /** The document served at /.well-known/jwks.json. */
  jwks(): { keys: JWK[] } {
    return { keys: [{ ...this.publicJwk }] };
  }

  /** `expiresInSeconds` overrides the lifetime; a negative one gives an expired token, for tests. */
  async issueToken(userId: string, options: { expiresInSeconds?: number } = {}): Promise<IssuedToken> {
    if (!USER_ID_PATTERN.test(userId)) throw new InvalidUserIdError();
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + (options.expiresInSeconds ?? this.options.tokenTtlSeconds ?? 3600);
    const token = await new SignJWT({ token_use: 'id' })
      .setProtectedHeader({ alg: 'RS256', kid: this.publicJwk.kid as string, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.signingKey);
    return { token, userId, expiresAt: new Date(expiresAt * 1000).toISOString() };
  }
}
