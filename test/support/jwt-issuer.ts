import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

/** A throwaway OIDC-style issuer on loopback: an RSA key, its JWKS URL and a signer. */
export const startTestIssuer = async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const server: Server = createServer((request, response) => {
    if (request.url === '/.well-known/jwks.json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [jwk] }));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/issuer`;
  const audience = 'messenger-test';

  const sign = async (
    claims: JWTPayload & { sub?: string },
    options: { expiresIn?: string | number; key?: CryptoKey } = {},
  ) => {
    const jwt = new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuedAt()
      .setIssuer(claims.iss ?? issuer)
      .setAudience((claims.aud as string | undefined) ?? audience);
    if (claims.exp === undefined) jwt.setExpirationTime(options.expiresIn ?? '1h');
    return jwt.sign(options.key ?? privateKey);
  };

  return {
    issuer,
    audience,
    jwksUrl: `${base}/.well-known/jwks.json`,
    sign,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
