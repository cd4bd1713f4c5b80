import { Logger } from '../lambdas/shared/logger';

/** A logger that writes nothing: for `quiet` runtimes and tests. */
export class SilentLogger extends Logger {
  override child(): Logger {
    return this;
  }
  override debug(): void {}
  override info(): void {}
  override warn(): void {}
  override error(): void {}
}
