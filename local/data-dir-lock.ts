import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(`Another local runtime (pid ${pid}) is using ${dataDir}. Stop it, or pass another --data-dir.`);
    this.name = 'DataDirInUseError';
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * One runtime per data directory: DynamoDB Local's database file is not made for two processes. A
 * pid file left by a killed runtime is taken over.
 */
export class DataDirLock {
  private readonly file: string;

  private constructor(dataDir: string) {
    this.file = join(dataDir, 'runtime.pid');
  }

  static acquire(dataDir: string): DataDirLock {
    const lock = new DataDirLock(dataDir);
    mkdirSync(dataDir, { recursive: true });
    let holder: number | undefined;
    try {
      holder = Number(readFileSync(lock.file, 'utf8').trim());
    } catch {
      holder = undefined;
    }
    if (holder && holder !== process.pid && isAlive(holder)) throw new DataDirInUseError(dataDir, holder);
    writeFileSync(lock.file, `${process.pid}\n`);
    return lock;
  }

  release(): void {
    try {
      if (Number(readFileSync(this.file, 'utf8').trim()) === process.pid) rmSync(this.file);
    } catch {
      // Already gone.
    }
  }
}
