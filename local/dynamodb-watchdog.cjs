'use strict';
/**
 * Runs DynamoDB Local (java) as its own child and ends it when the runtime goes away, however it goes:
 * its stdin is a pipe from the runtime, and the pipe closes when the runtime exits, even after kill -9.
 * Usage: node dynamodb-watchdog.cjs <command> [args...]. Its first stdout line is `java-pid <pid>`.
 */
const { spawn } = require('node:child_process');

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
process.stdout.write(`java-pid ${child.pid}\n`);
child.stdout.pipe(process.stdout);
child.stderr.pipe(process.stderr);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 5000).unref();
};

process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, stop);

child.on('error', (error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
