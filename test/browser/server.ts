import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { requireFreshBuild } from '../helpers/dist.js';

/** A running static server: its origin (`http://127.0.0.1:port`) and how to stop it. */
export interface StaticServer {
  readonly origin: string;
  close(): Promise<void>;
}

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};

// Cross-origin isolation, so the page gets SharedArrayBuffer (which a
// threaded wasm backend needs) exactly as a deployed app would have to.
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

/** Extra response headers for some paths, e.g. a Content-Security-Policy for one page. */
export type PathHeaders = (path: string) => Readonly<Record<string, string>>;

/** Options of {@link startStaticServer}. */
export interface ServerOptions {
  /** Send the cross-origin isolation headers (default true); false serves a page as a plain static host would. */
  isolation?: boolean;
  /** Extra response headers by URL path. */
  headers?: PathHeaders;
}

function reply(res: ServerResponse, status: number, type: string, body: string | Buffer, isolation = true, extra: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { ...(isolation ? ISOLATION : {}), ...extra, 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

/**
 * Serves files under `root` on 127.0.0.1 at an ephemeral port, but only
 * below the URL prefixes in `mounts` (e.g. `['/packages/glassnet/dist/', '/test/browser/']`),
 * so the page can reach nothing else of the repository. GET and HEAD
 * only (Node leaves out the body of a HEAD reply). A path ending in `/`
 * serves its `index.html`, as static hosts do. `options.headers` adds
 * response headers by URL path.
 */
export async function startStaticServer(root: string, mounts: readonly string[], options: ServerOptions = {}): Promise<StaticServer> {
  if (mounts.some((mount) => mount.startsWith('/packages/'))) requireFreshBuild(root);
  const isolation = options.isolation ?? true;
  const headers = options.headers ?? ((): Readonly<Record<string, string>> => ({}));
  const folders = mounts.map((mount) => resolve(root, `.${mount}`) + sep);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(res, 405, 'text/plain', 'method not allowed');
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      reply(res, 400, 'text/plain', 'bad path');
      return;
    }
    // Checked after resolving, so an encoded `..` (%2e%2e) cannot climb out of a mount.
    const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    const mounted = folders.some((folder) => file.startsWith(folder));
    const type = MIME[extname(file)];
    if (!mounted || type === undefined) {
      reply(res, 404, 'text/plain', 'not found', isolation);
      return;
    }
    readFile(file).then(
      (body) => reply(res, 200, type, body, isolation, headers(path)),
      () => reply(res, 404, 'text/plain', 'not found', isolation),
    );
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((done, fail) => {
      server.closeAllConnections();
      server.close((error) => (error ? fail(error) : done()));
    }),
  };
}
