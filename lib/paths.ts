import { fileURLToPath } from 'node:url';

/** The repository root: the project root of every bundled function and the base of handler paths. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Entry file of a Lambda under lambdas/handlers. */
export const handlerEntry = (name: string): string =>
  fileURLToPath(new URL(`../lambdas/handlers/${name}.ts`, import.meta.url));
