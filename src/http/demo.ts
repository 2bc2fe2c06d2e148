// The demo web app (web/, built by scripts/build.mjs into dist/web/) served as static files at
// HUBGRAPH_DEMO_PATH. Only GET and HEAD, only files inside dist/web/; anything else falls through
// to the next handler (yoga answers 404 for unknown paths).
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/web/, next to dist/src/ where this file is compiled to */
export const DEMO_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

// The app talks to its own origin only (HTTP and WebSocket); preview and feed images come from anywhere.
const CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src * data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export type DemoHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Returns a handler that answers the requests it serves (true) and leaves the others (false). */
export function demoHandler(path: string, dir = DEMO_DIR): DemoHandler {
  const root = normalize(dir.endsWith(sep) ? dir : dir + sep);
  const bare = path.slice(0, -1);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return false;
    }
    if (bare && pathname === bare) {
      res.writeHead(308, { location: path }).end();
      return true;
    }
    if (!pathname.startsWith(path) || pathname.startsWith('/graphql')) return false;
    const rel = pathname.slice(path.length) || 'index.html';
    const file = normalize(join(root, rel));
    if (!file.startsWith(root) || rel.includes('\0')) return false;
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) return false;
      size = st.size;
    } catch {
      if (rel === 'index.html') {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('The demo web app is not built: run `npm run build` (it needs the dev dependencies, for Vite).\n');
        return true;
      }
      return false;
    }
    const hashed = rel.startsWith('assets/');
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': size,
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      ...(extname(file) === '.html' ? { 'content-security-policy': CSP } : {}),
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).on('error', () => res.destroy()).pipe(res);
    return true;
  };
}
