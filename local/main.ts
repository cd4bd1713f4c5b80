import { parseArgs } from 'node:util';
import type { LocalRuntime } from './runtime';

/** `npm start`: the whole messenger on one machine. */

const USAGE = `Usage: npm start -- [options]

  --port <n>        Port for everything (default $PORT or 8080; 0 = a free port)
  --host <address>  Interface to bind (default $HOST or 127.0.0.1)
  --data-dir <dir>  Where DynamoDB Local and the signing key persist (default .data)
  --in-memory       Keep nothing: DynamoDB Local in memory (also MESSENGER_IN_MEMORY=1)
  --poll-interval <ms>  Pause between empty reads of the table's stream (default 20)
  --help            This text

Logs of the runtime and the handlers: LOG_LEVEL=debug|info|warn|error (default warn).`;

class UsageError extends Error {}

const parseOptions = () => {
  let values: ReturnType<typeof parseFlags>['values'];
  try {
    ({ values } = parseFlags());
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return checkOptions(values);
};

const parseFlags = () =>
  parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'in-memory': { type: 'boolean' },
      'poll-interval': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });

const checkOptions = (values: ReturnType<typeof parseFlags>['values']) => {
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new UsageError(`--port must be a port number, not ${values.port}`);
  }
  const pollIntervalMs = values['poll-interval'] === undefined ? undefined : Number(values['poll-interval']);
  if (pollIntervalMs !== undefined && (!Number.isFinite(pollIntervalMs) || pollIntervalMs < 0)) {
    throw new UsageError(`--poll-interval must be a number of milliseconds, not ${values['poll-interval']}`);
  }
  return {
    help: values.help ?? false,
    pollIntervalMs,
    port,
    host: values.host,
    dataDir: values['data-dir'],
    inMemory: values['in-memory'] ? true : undefined,
  };
};

const banner = (runtime: LocalRuntime): string => {
  const curl = `curl -s -X POST ${runtime.url}/dev/token -H 'content-type: application/json' -d '{"userId":"alice"}'`;
  const storage = runtime.dataDir ? `data in ${runtime.dataDir}` : 'in memory: nothing is kept';
  return [
    `Messenger local runtime ready in ${(runtime.startupMs / 1000).toFixed(1)} s`,
    '',
    `  Web app      ${runtime.url}/`,
    `  WebSocket    ${runtime.wsUrl}?token=<token>&deviceId=<deviceId>`,
    `  Health       ${runtime.url}/healthz`,
    `  Get a token  ${curl}`,
    `  Push log     ${runtime.url}/dev/push?userId=alice`,
    `  Dead letters ${runtime.url}/dev/dlq`,
    `  DynamoDB     ${runtime.endpoints.dynamodb} (table ${runtime.tableName}, ${storage})`,
    `  AWS SDK      @connections at ${runtime.endpoints.connections}, SNS at ${runtime.endpoints.sns}`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
};

/**
 * Under the tsx CLI (npm start) this process is the child of a tsx process; if that one is killed
 * outright, stop too rather than linger on the port.
 */
const watchLauncher = (stop: () => void): void => {
  if (!process.execArgv.some((argument) => argument.includes('tsx'))) return;
  const launcher = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== launcher) stop();
  }, 1000);
  timer.unref();
};

const main = async (): Promise<void> => {
  const options = parseOptions();
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // Loggers read LOG_LEVEL when their module loads, hence the runtime is imported after this.
  process.env.LOG_LEVEL ??= 'warn';
  const { startLocalRuntime } = await import('./runtime');
  const runtime = await startLocalRuntime(options);
  process.stdout.write(banner(runtime));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping...\n`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    runtime.stop().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  watchLauncher(() => stop('launcher gone'));
};

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if ((error as Error)?.name === 'JavaMissingError') {
    process.stderr.write(`\n${(error as Error).message}\n\n`);
  } else {
    process.stderr.write(
      `\nThe local runtime did not start: ${(error as Error)?.stack ?? String(error)}\n\n`,
    );
  }
  process.exit(1);
});
