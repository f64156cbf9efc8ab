import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export function contentType(path: string): string {
  return TYPES[extname(path)] ?? 'application/octet-stream';
}

/**
 * Answer a GET for a file of the built renderer: nothing outside `dir` is ever served, and
 * nothing is cached, so a rebuilt screen is what the next load shows.
 */
export function serveStaticFile(dir: string, req: IncomingMessage, res: ServerResponse): void {
  const root = resolve(dir);
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  const file = normalize(join(root, path === '/' ? 'index.html' : path));
  if (!file.startsWith(root + sep) || req.method !== 'GET') {
    res.writeHead(404).end();
    return;
  }
  stat(file).then(
    (s) => {
      if (!s.isFile()) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': contentType(file), 'cache-control': 'no-store' });
      createReadStream(file).pipe(res);
    },
    () => res.writeHead(404).end(),
  );
}
