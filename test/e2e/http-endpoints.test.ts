import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHandlers } from './support/fake-handlers';
import { type LocalStack, startLocalStack } from './support/local-stack';

/** A GET with the path sent as written (fetch would normalise `..` away): its body. */
const rawGet = (url: string, path: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    request({ hostname, port, path, method: 'GET' }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });

describe('the HTTP side of the local runtime', () => {
  let stack: LocalStack;
  let webRoot: string;

  beforeAll(async () => {
    webRoot = await mkdtemp(join(tmpdir(), 'web-'));
    await mkdir(join(webRoot, 'assets'));
    await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(join(webRoot, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(webRoot, 'assets', 'app.css'), 'body{}');
    stack = await startLocalStack({ handlers: new FakeHandlers().handlers, webRoot });
  });

  afterAll(async () => {
    await stack?.stop();
    await rm(webRoot, { recursive: true, force: true });
  });

  it('reports itself healthy once every part is ready', async () => {
    // Prepare / Act
    const response = await fetch(`${stack.runtime.url}/healthz`);

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      healthy: true,
      dynamodb: true,
      table: true,
      poller: true,
      gateway: true,
    });
  });

  it('serves the built web app with content types, index.html for app routes, and nothing outside its folder', async () => {
    // Prepare
    const get = (path: string) => fetch(`${stack.runtime.url}${path}`);

    // Act
    const [index, script, style, route, missing] = await Promise.all([
      get('/'),
      get('/assets/app.js'),
      get('/assets/app.css'),
      get('/conversations/dm:alice:bob'),
      get('/assets/missing.js'),
    ]);
    const traversals = await Promise.all(
      ['/../../../etc/passwd', '/assets/..%2f..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd'].map(
        (path) => rawGet(stack.runtime.url, path),
      ),
    );

    // Assess
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<title>app</title>');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await route.text()).toContain('<title>app</title>');
    expect(missing.status).toBe(404);
    for (const body of traversals) expect(body).not.toContain('root:');
  });

  it('issues tokens for valid user ids only, and answers CORS preflights', async () => {
    // Prepare
    const post = (body: unknown) =>
      fetch(`${stack.runtime.url}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    // Act
    const valid = await post({ userId: 'alice' });
    const invalid = await post({ userId: 'no spaces please' });
    const missing = await post({});
    const preflight = await fetch(`${stack.runtime.url}/dev/token`, { method: 'OPTIONS' });

    // Assess
    expect(valid.status).toBe(200);
    const issued = (await valid.json()) as Record<string, string>;
    expect(Object.keys(issued).sort()).toEqual(['expiresAt', 'token', 'userId', 'wsUrl']);
    expect(issued.wsUrl).toBe(stack.runtime.wsUrl);
    expect(invalid.status).toBe(400);
    expect(missing.status).toBe(400);
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('serves the JWKS the authorizer verifies tokens with', async () => {
    // Prepare / Act
    const jwks = (await (await fetch(stack.runtime.endpoints.jwks)).json()) as {
      keys: Record<string, string>[];
    };

    // Assess
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect(process.env.JWKS_URL).toBe(stack.runtime.endpoints.jwks);
  });
});
