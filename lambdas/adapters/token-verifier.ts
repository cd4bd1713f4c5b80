import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { UnauthorizedError } from '../shared/errors';

export interface TokenVerifierOptions {
  issuer: string;
  /** The app client id (Cognito) or audience (any OIDC issuer). */
  audience: string;
  jwksUrl: string;
  /** Allowed clock skew in seconds. Default 30. */
  clockToleranceSeconds?: number;
}

/**
 * Verifies RS256 JWTs against an issuer's JWKS: Cognito in AWS, the local identity provider offline,
 * through the same code. Cognito access tokens carry the client in `client_id`, ID tokens in `aud`.
 */
export class TokenVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly options: TokenVerifierOptions) {
    this.jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
      cooldownDuration: 30_000,
      timeoutDuration: 5_000,
    });
  }

  async verify(token: string): Promise<JWTPayload & { sub: string }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.options.issuer,
        algorithms: ['RS256'],
        clockTolerance: this.options.clockToleranceSeconds ?? 30,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      throw new UnauthorizedError('Invalid token', {
        cause: error,
        context: { reason: (error as Error).name },
      });
    }
    const audiences = Array.isArray(payload.aud)
      ? payload.aud
      : payload.aud === undefined
        ? []
        : [payload.aud];
    if (!audiences.includes(this.options.audience) && payload.client_id !== this.options.audience) {
      throw new UnauthorizedError('Invalid token', { context: { reason: 'audience' } });
    }
    return payload as JWTPayload & { sub: string };
  }
}
