// `wpm serve`: the local store as a binary cache over HTTP. Narinfos are made from path info on
// each request (signed with the server's keys, if any, on top of the signatures stored with the
// path); NARs are dumped from the store as they are sent, compressed on the fly if asked.
// Served NARs are named nar/<hashpart>-<narhash>.nar so the server finds the path without an
// index; clients only ever follow the narinfo's URL. PUT uploads need the server's token.

import { timingSafeEqual } from 'node:crypto';
import type Http from 'node:http';
import { pipeline } from 'node:stream';
import { WpmError, isWpmError } from '../../util/index.js';
import { builtin } from '../../util/builtin.js';
import { formatNarInfo, nix32Encode, parseHash, type LocalStore, type SecretKey } from '../index.js';
import { readAll } from './cache.js';
import { formatCacheInfo } from './cache-info.js';
import { allowCrossOrigin, answerPreflight, serveUi } from './browser-access.js';
import { compress, compressionExtension, isCompressionSupported, type Compression } from './compression.js';
import { narSource } from './nar-source.js';
import { narInfoFor } from './path-narinfo.js';
import { receiveNarFile, receiveNarInfo } from './receive-upload.js';

const http = builtin<typeof Http>('node:http');

export interface CacheServerOptions {
  /** Keys to sign every served narinfo with. */
  signKeys?: SecretKey[];
  /** Accept PUT uploads carrying this token (Bearer, or as a Basic password as netrc sends it). */
  uploadToken?: string;
  /** Compression of served NARs (default none: on a LAN the CPU is the bottleneck, not the wire). */
  compression?: Compression;
  /** nix-cache-info Priority (default 40). */
  priority?: number;
  /** Serve the built web app in this directory under /ui/ (browser-access.ts). */
  uiDir?: string;
  /** One line per upload and per failed request. */
  log?: (line: string) => void;
}

const NARINFO = /^\/([0-9a-df-np-sv-z]{32})\.narinfo$/;
const SERVED_NAR = /^\/nar\/([0-9a-df-np-sv-z]{32})-([0-9a-df-np-sv-z]{52})\.nar(\.[a-z0-9]+)?$/;

function send(res: Http.ServerResponse, status: number, body: string, type = 'text/plain'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function authorised(req: Http.IncomingMessage, token: string): boolean {
  const h = req.headers.authorization ?? '';
  let given = '';
  if (h.startsWith('Bearer ')) given = h.slice(7);
  else if (h.startsWith('Basic ')) given = Buffer.from(h.slice(6), 'base64').toString('utf8').replace(/^[^:]*:/, '');
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createCacheServer(store: LocalStore, opts: CacheServerOptions = {}): Http.Server {
  const compression = opts.compression ?? 'none';
  if (!isCompressionSupported(compression)) {
    throw new WpmError('ERR_CACHE_COMPRESSION', `cannot serve ${compression}-compressed NARs: not supported on this machine`);
  }
  const ext = compressionExtension(compression);
  const cacheInfo = formatCacheInfo({ priority: opts.priority ?? 40 });

  const getNarInfo = (res: Http.ServerResponse, hashPart: string) => {
    const info = store.db.getByHashPart(hashPart);
    if (!info) return send(res, 404, 'no such path\n');
    const narDigest = nix32Encode(parseHash(info.narHash).digest);
    const url = `nar/${hashPart}-${narDigest}.nar${ext}`;
    // Uncompressed, the file is the NAR: its hash and size are known without reading it.
    const file = compression === 'none' ? { url, compression, fileHash: info.narHash, fileSize: info.narSize } : { url, compression };
    send(res, 200, formatNarInfo(narInfoFor(info, file, opts.signKeys)), 'text/x-nix-narinfo');
  };

  const getNar = (req: Http.IncomingMessage, res: Http.ServerResponse, hashPart: string, narDigest: string, suffix: string) => {
    const info = store.db.getByHashPart(hashPart);
    if (!info || nix32Encode(parseHash(info.narHash).digest) !== narDigest || suffix !== ext) return send(res, 404, 'no such NAR\n');
    const headers: Http.OutgoingHttpHeaders = { 'content-type': 'application/x-nix-nar' };
    if (compression === 'none') headers['content-length'] = info.narSize;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return res.end();
    const source = narSource(store, info.path);
    const body = compression === 'none' ? source : compress(compression, source);
    pipeline(body as NodeJS.ReadableStream, res, (err) => {
      // The client sees a short body (and Content-Length tells it so); nothing else to do.
      if (err && !res.destroyed) res.destroy(err);
      if (err) opts.log?.(`GET ${req.url}: ${err.message}`);
    });
  };

  const put = async (req: Http.IncomingMessage, res: Http.ServerResponse, url: string) => {
    if (opts.uploadToken === undefined) return send(res, 403, 'uploads are disabled on this server (wpm serve --allow-upload TOKEN)\n');
    if (!authorised(req, opts.uploadToken)) return send(res, 401, 'wrong or missing upload token\n');
    if (url === '/nix-cache-info') {
      req.resume();
      return send(res, 200, 'ok\n');
    }
    if (url.startsWith('/nar/')) {
      await receiveNarFile(store, url.slice(5), req);
      return send(res, 201, 'stored\n');
    }
    const m = NARINFO.exec(url);
    if (!m) {
      req.resume();
      return send(res, 404, 'cannot upload here\n');
    }
    const tooLarge = new Error('narinfo too large');
    let body: Buffer;
    try {
      body = await readAll(req, 1 << 20, () => tooLarge);
    } catch (err) {
      if (err === tooLarge) return send(res, 413, 'narinfo too large\n');
      throw err;
    }
    const added = await receiveNarInfo(store, m[1], body.toString('utf8'), `upload ${url}`);
    if (added) opts.log?.(`received ${url}`);
    send(res, added ? 201 : 200, added ? 'added\n' : 'already valid\n');
  };

  return http().createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    const handle = async () => {
      if (opts.uiDir !== undefined && serveUi(req, res, url, opts.uiDir)) return;
      if (req.method === 'OPTIONS') return answerPreflight(res);
      if (req.method === 'PUT') return put(req, res, url);
      allowCrossOrigin(res);
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
      if (url === '/nix-cache-info') return send(res, 200, cacheInfo);
      const ni = NARINFO.exec(url);
      if (ni) return getNarInfo(res, ni[1]);
      const nar = SERVED_NAR.exec(url);
      if (nar) return getNar(req, res, nar[1], nar[2], nar[3] ?? '');
      send(res, 404, 'not found\n');
    };
    handle().catch((err: unknown) => {
      const msg = err instanceof Error ? err.message : String(err);
      opts.log?.(`${req.method} ${url}: ${msg}`);
      if (res.headersSent) res.destroy();
      // A bad upload is the client's fault; anything else is ours.
      else send(res, isWpmError(err) && !err.code.startsWith('ERR_NAR_IO') ? 400 : 500, msg + '\n');
    });
  });
}
