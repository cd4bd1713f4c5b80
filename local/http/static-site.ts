import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

const isFile = async (path: string): Promise<boolean> => {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
};

/**
 * The web app's build (dist/web) when there is one, looked up per request so a fresh build shows
 * without a restart; a status page otherwise. Paths without an extension fall back to index.html.
 */
export class StaticSite {
  private readonly root: string;

  constructor(
    root: string,
    private readonly statusPage: () => string,
  ) {
    this.root = resolve(root);
  }

  async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = await this.resolveFile(url.pathname);
    if (!file) {
      if (url.pathname === '/' || url.pathname === '/index.html')
        return this.sendStatusPage(request, response);
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    const { size } = await stat(file);
    response.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': size.toString(),
      'Cache-Control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=300',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(file).pipe(response);
  }

  private async resolveFile(pathname: string): Promise<string | undefined> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return undefined;
    }
    const candidate = resolve(this.root, `.${normalize(`/${decoded}`)}`);
    if (candidate !== this.root && !candidate.startsWith(this.root + sep)) return undefined;
    if (await isFile(candidate)) return candidate;
    if (await isFile(join(candidate, 'index.html'))) return join(candidate, 'index.html');
    const index = join(this.root, 'index.html');
    if (extname(decoded) === '' && (await isFile(index))) return index;
    return undefined;
  }

  private sendStatusPage(request: IncomingMessage, response: ServerResponse): void {
    const html = this.statusPage();
    response.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(html).toString(),
      'Cache-Control': 'no-store',
    });
    response.end(request.method === 'HEAD' ? undefined : html);
  }
}
