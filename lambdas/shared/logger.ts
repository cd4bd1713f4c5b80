/**
 * One structured logger: a JSON line per entry on stdout/stderr, as CloudWatch expects.
 * Log ids and codes; never message bodies or tokens.
 */

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SILENT = 100;

const threshold = (): number => {
  const level = (process.env.LOG_LEVEL ?? 'info').toLowerCase();
  if (level === 'silent') return SILENT;
  return ORDER[level as Level] ?? ORDER.info;
};

const serializeError = (error: unknown): Record<string, unknown> => {
  if (!(error instanceof Error)) return { value: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(code === undefined ? {} : { code }),
    stack: error.stack,
    ...(error.cause === undefined ? {} : { cause: serializeError(error.cause) }),
  };
};

export class Logger {
  private readonly minimum = threshold();

  constructor(private readonly base: Record<string, unknown> = {}) {}

  child(fields: Record<string, unknown>): Logger {
    return new Logger({ ...this.base, ...fields });
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.write('debug', message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.write('info', message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.write('warn', message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.write('error', message, fields);
  }

  private write(level: Level, message: string, fields: Record<string, unknown> = {}): void {
    if (ORDER[level] < this.minimum) return;
    const entry: Record<string, unknown> = { level, time: new Date().toISOString(), message, ...this.base };
    for (const [key, value] of Object.entries(fields)) {
      entry[key] = value instanceof Error ? serializeError(value) : value;
    }
    const line = JSON.stringify(entry);
    if (ORDER[level] >= ORDER.warn) process.stderr.write(`${line}\n`);
    else process.stdout.write(`${line}\n`);
  }
}

export const logger = new Logger({ service: 'messenger' });
