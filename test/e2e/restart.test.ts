import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../lambdas/shared/protocol';
import { freePort } from '../../local/dynamodb-local';
import { eventually } from './support/eventually';
import { TestSocket } from './support/test-socket';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** `npm start` as a single process (tsx as a loader, not the tsx CLI, so kill -9 hits the runtime itself). */
const launch = (port: number, dataDir: string): ChildProcess =>
  spawn(
    process.execPath,
    ['--import', 'tsx', 'local/main.ts', '--port', String(port), '--data-dir', dataDir],
    {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );

const waitHealthy = (url: string, child: ChildProcess) =>
  eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`the runtime exited with ${child.exitCode}`);
      const response = await fetch(`${url}/healthz`);
      expect(response.status).toBe(200);
    },
    60_000,
    100,
  );

/** Java processes whose DynamoDB Local database lives under the directory. */
const javaProcessesOf = (dataDir: string): string[] =>
  execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(
      ([, command, ...args]) => command?.endsWith('java') && args.some((arg) => arg.startsWith(dataDir)),
    )
    .map(([pid]) => pid as string);

const connect = async (url: string, userId: string, deviceId: string): Promise<TestSocket> => {
  const response = await fetch(`${url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  const { token, wsUrl } = (await response.json()) as { token: string; wsUrl: string };
  return TestSocket.open(`${wsUrl}?token=${token}&deviceId=${deviceId}`);
};

describe('stopping and restarting `npm start` on the same data directory', () => {
  const children: ChildProcess[] = [];
  let dataDir = '';

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged message, in order, across a kill -9, and leaves no Java process behind', async () => {
    // Prepare
    dataDir = await mkdtemp(join(tmpdir(), 'messenger-restart-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = launch(port, dataDir);
    children.push(first);
    await waitHealthy(url, first);
    expect(javaProcessesOf(dataDir)).toHaveLength(1);
    const alice = await connect(url, 'alice', 'laptop');
    const { conversation } = await alice.request<{ conversation: Conversation }>({
      action: 'openDirect',
      userId: 'bob',
    });
    const acknowledged: number[] = [];
    for (let index = 1; index <= 5; index += 1) {
      const ack = await alice.request<{ type: string; seq: number }>({
        action: 'sendMessage',
        conversationId: conversation.conversationId,
        clientMessageId: `c${index}`,
        body: `message ${index}`,
      });
      expect(ack.type).toBe('ack');
      acknowledged.push(ack.seq);
    }

    // Act
    first.kill('SIGKILL');
    await alice.closed;
    await eventually(() => expect(javaProcessesOf(dataDir)).toEqual([]), 15_000, 100);
    const second = launch(port, dataDir);
    children.push(second);
    await waitHealthy(url, second);
    const bob = await connect(url, 'bob', 'phone');
    const synced = await bob.request<{ type: string; messages: Message[]; lastSeq: number }>({
      action: 'sync',
      conversationId: conversation.conversationId,
      afterSeq: 0,
    });

    // Assess
    expect(acknowledged).toEqual([1, 2, 3, 4, 5]);
    expect(synced.type).toBe('messages');
    expect(synced.messages.map((message) => [message.seq, message.body])).toEqual(
      acknowledged.map((seq) => [seq, `message ${seq}`]),
    );
    await bob.close();
    second.kill('SIGTERM');
    await new Promise((resolveExit) => second.once('exit', resolveExit));
    expect(second.exitCode).toBe(0);
    expect(javaProcessesOf(dataDir)).toEqual([]);
  }, 120_000);
});
