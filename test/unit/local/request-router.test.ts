import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RequestRouter } from '../../../local/http/request-router';
import { StaticSite } from '../../../local/http/static-site';
import { SilentLogger } from '../../../local/silent-logger';

describe('RequestRouter before the parts are ready', () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  const start = async (): Promise<string> => {
    const router = new RequestRouter({
      site: new StaticSite('/nonexistent-web-root', () => '<p>status</p>'),
      health: () => ({ healthy: false, dynamodb: true, table: false }),
      log: new SilentLogger(),
    });
    server = createServer(router.handleRequest);
    server.on('upgrade', router.handleUpgrade);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  it('answers /healthz, /dev, /sns, @connections and WebSocket upgrades with 503, and / with the status page', async () => {
    // Prepare
    const host = await start();

    // Act
    const health = await fetch(`http://${host}/healthz`);
    const token = await fetch(`http://${host}/dev/token`, { method: 'POST', body: '{}' });
    const sns = await fetch(`http://${host}/sns`, { method: 'POST', body: 'Action=Publish' });
    const connections = await fetch(`http://${host}/@connections/abc%3D`);
    const status = await fetch(`http://${host}/`);
    const upgrade = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`ws://${host}/`);
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('error', () => {});
    });

    // Assess
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ healthy: false, dynamodb: true, table: false });
    expect([token.status, sns.status, connections.status, upgrade]).toEqual([503, 503, 503, 503]);
    expect(status.status).toBe(200);
    expect(await status.text()).toBe('<p>status</p>');
  });
});
