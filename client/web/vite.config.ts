import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Builds the web app into dist/web, which the local runtime serves at `/`. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  server: {
    // `npx vite client/web` during development: the runtime on 8080 answers /dev and WebSockets.
    // changeOrigin: /dev/token then answers with the runtime's own wsUrl, and sockets go straight to it.
    proxy: { '/dev': { target: 'http://127.0.0.1:8080', changeOrigin: true } },
  },
});
