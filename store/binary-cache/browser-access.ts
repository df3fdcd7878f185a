// What browsers need from `wpm serve`. The cache's read-only routes answer any origin (CORS), so
// a page served from elsewhere can substitute from it; uploads stay same-origin (a PUT needs a
// preflight, which is not granted). With --ui, the web app's files (dist/web/) are served under
// /ui/, cross-origin isolated (COOP same-origin + COEP require-corp), so the page may use
// SharedArrayBuffer and Atomics.wait should the WASI host in a worker need them.

import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

export const UI_PREFIX = '/ui/';

/** Headers that let a page on any origin read a cache answer (errors and 404s included). */
export function allowCrossOrigin(res: http.ServerResponse): void {
  res.setHeader('access-control-allow-origin', '*');
  // A cross-origin-isolated page (COEP require-corp) may also load it without CORS mode.
  res.setHeader('cross-origin-resource-policy', 'cross-origin');
  res.setHeader('access-control-expose-headers', 'content-length');
}

/** The answer to a CORS preflight: reads only. */
export function answerPreflight(res: http.ServerResponse): void {
  allowCrossOrigin(res);
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, HEAD',
    'access-control-max-age': '86400',
  });
  res.end();
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

// Plain names only: no dot files, no '..', nothing that could leave the directory.
const FILE = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

function isolated(extra: http.OutgoingHttpHeaders): http.OutgoingHttpHeaders {
  return {
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
    'cross-origin-resource-policy': 'same-origin',
    'x-content-type-options': 'nosniff',
    // The app changes with every build of wpm; a stale bundle would talk to a newer server.
    'cache-control': 'no-cache',
    ...extra,
  };
}

/**
 * Serves a request for the web app if `url` is one (`/`, `/ui`, `/ui/…`); returns whether it did.
 * `dir` holds the built app (index.html, app.js, …).
 */
export function serveUi(req: http.IncomingMessage, res: http.ServerResponse, url: string, dir: string): boolean {
  if (url === '/' || url === '/ui') {
    res.writeHead(302, { location: UI_PREFIX, 'content-length': 0 });
    res.end();
    return true;
  }
  if (!url.startsWith(UI_PREFIX)) return false;
  const end = (status: number, body: string) => {
    res.writeHead(status, isolated({ 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }));
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    end(405, 'method not allowed\n');
    return true;
  }
  let rel: string;
  try {
    rel = decodeURIComponent(url.slice(UI_PREFIX.length)) || 'index.html';
  } catch {
    end(400, 'bad path\n');
    return true;
  }
  if (!FILE.test(rel)) {
    end(404, 'not found\n');
    return true;
  }
  const file = path.join(dir, ...rel.split('/'));
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) return end(404, 'not found\n');
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, isolated({ 'content-type': type, 'content-length': st.size }));
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  return true;
}
