// A binary cache over HTTP(S). Every request has two limits: no answer, or no bytes for
// `timeoutMs` while a body streams, and the whole read taking longer than its deadline (by
// default `timeoutMs` again; the substituter gives a NAR more, by its size), are ERR_CACHE_TIMEOUT.
// So a stalled cache, or one that drips a byte every few seconds, costs one timeout and then the
// path is built locally. Ctrl-C (the read's signal) ends a request at once. Connections are kept alive across the many small narinfo
// requests a build makes. 404, 403 and 410 mean "not here" (S3 answers 403 for a missing key).
// GETs, over HTTP and https, go through wpm's own client (raw-http-get.ts); redirects, HEAD and
// PUT through Node's, loaded when first needed.

import fs from 'node:fs';
import type Http from 'node:http';
import type Https from 'node:https';
import { WpmError, isWpmError } from '../../util/index.js';
import { trustedSecureContext, unknownAuthorityHint } from '../../util/trusted-cas.js';
import { builtin } from '../../util/builtin.js';
import { readAll, type BinaryCache, type PutBody, type ReadOptions } from './cache.js';
import { RawHttpClient } from './raw-http-get.js';

/** Node's client, for redirects, HEAD and PUT; GETs do without it. */
const http = builtin<typeof Http>('node:http');
const https = builtin<typeof Https>('node:https');

export interface HttpCacheOptions {
  /** Milliseconds without an answer or a byte before giving up (default 10 000). */
  timeoutMs?: number;
  /** Sent as `Authorization: Bearer <token>` on uploads. */
  token?: string;
}

const ABSENT = new Set([403, 404, 410]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

export class HttpCache implements BinaryCache {
  readonly url: string;
  readonly #timeoutMs: number;
  readonly #token: string | undefined;
  #http: Http.Agent | undefined;
  /** Made with the first https request: the certificate authorities are read then (util/trusted-cas.ts). */
  #https: Https.Agent | undefined;
  /** GETs, narinfos and NARs, read off the socket (raw-http-get.ts). */
  readonly #raw = new RawHttpClient();

  constructor(url: string, opts: HttpCacheOptions = {}) {
    this.url = url.replace(/\/+$/, '');
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#token = opts.token;
  }

  /** Closes kept-alive connections (they never keep the process alive, but tests like it tidy). */
  close(): void {
    this.#http?.destroy();
    this.#https?.destroy();
    this.#raw.close();
  }

  #agent(protocol: string): Http.Agent {
    if (protocol === 'http:') return (this.#http ??= new (http().Agent)({ keepAlive: true, maxSockets: 16 }));
    this.#https ??= new (https().Agent)({ keepAlive: true, maxSockets: 16, secureContext: trustedSecureContext() });
    return this.#https;
  }

  private request(
    method: string,
    u: URL,
    body?: PutBody,
    headers: Record<string, string> = {},
    read: ReadOptions & { started?: number } = {},
  ): Promise<{ res: Http.IncomingMessage; timedOut: () => boolean }> {
    const mod = u.protocol === 'https:' ? https() : u.protocol === 'http:' ? http() : undefined;
    if (!mod) return Promise.reject(new WpmError('ERR_CACHE_BAD_URL', `${u.href}: only http, https and file caches are supported`));
    if (read.signal?.aborted) return Promise.reject(interrupted(u));
    return new Promise((resolve, reject) => {
      let timedOut = false;
      let response: Http.IncomingMessage | undefined;
      const req = mod.request(u, { method, agent: this.#agent(u.protocol), headers }, (res) => {
        response = res;
        res.once('close', settle);
        resolve({ res, timedOut: () => timedOut });
      });
      // An idle socket for this long, before or during the answer, ends the request.
      req.setTimeout(this.#timeoutMs, () => {
        timedOut = true;
        req.destroy(new WpmError('ERR_CACHE_TIMEOUT', `${u.href}: no answer within ${this.#timeoutMs / 1000} s`));
      });
      // However steadily bytes come, a read ends by its deadline (redirects included); Ctrl-C ends
      // it at once. Either destroys the answer's body if it streams, else the request.
      const kill = (err: WpmError) => (response ?? req).destroy(err);
      const deadlineMs = read.deadlineMs ?? this.#timeoutMs;
      const deadline =
        method === 'PUT'
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              const what = response === undefined ? `no answer within ${deadlineMs / 1000} s` : `not done within ${deadlineMs / 1000} s (a cache this slow is not used)`;
              kill(new WpmError('ERR_CACHE_TIMEOUT', `${u.href}: ${what}`));
            }, Math.max(0, deadlineMs - (Date.now() - (read.started ?? Date.now()))));
      const onAbort = () => kill(interrupted(u));
      read.signal?.addEventListener('abort', onAbort, { once: true });
      function settle(): void {
        clearTimeout(deadline);
        read.signal?.removeEventListener('abort', onAbort);
      }
      req.once('close', () => {
        if (response === undefined) settle();
      });
      req.on('error', (err) => {
        if (isWpmError(err)) reject(err);
        else {
          const hint = unknownAuthorityHint(err);
          reject(new WpmError('ERR_CACHE_UNREACHABLE', `cannot reach ${u.href}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, { cause: err, ...(hint ? { hint } : {}) }));
        }
      });
      if (body === undefined) req.end();
      else if (typeof body === 'object' && 'file' in body) {
        const src = fs.createReadStream(body.file);
        src.on('error', (err) => req.destroy(err));
        src.pipe(req);
      } else req.end(body);
    });
  }

  /** GET following redirects; undefined when the file is absent. */
  private async get(rel: string, read: ReadOptions): Promise<{ res: Http.IncomingMessage; timedOut: () => boolean; href: string } | undefined> {
    let u = new URL(rel, this.url + '/');
    const started = Date.now();
    for (let i = 0; ; i++) {
      const r = await this.request('GET', u, undefined, {}, { ...read, started });
      const status = r.res.statusCode ?? 0;
      if (status === 200) return { ...r, href: u.href };
      r.res.resume();
      if (ABSENT.has(status)) return undefined;
      if (REDIRECT.has(status) && r.res.headers.location && i < MAX_REDIRECTS) {
        u = new URL(r.res.headers.location, u);
        continue;
      }
      throw new WpmError('ERR_CACHE_HTTP', `${u.href} answered HTTP ${status}`, { status });
    }
  }

  /**
   * A GET by wpm's own client: the body as views of a reused buffer, or 'absent'; undefined when
   * Node's client must ask again (a redirect, which it follows).
   */
  async #rawGet(u: URL, opts: ReadOptions): Promise<AsyncGenerator<Uint8Array> | 'absent' | undefined> {
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    const r = await this.#raw.get(u, { timeoutMs: this.#timeoutMs, deadlineMs: opts.deadlineMs ?? this.#timeoutMs, started: Date.now(), signal: opts.signal });
    if (r.body) return r.body;
    if (ABSENT.has(r.status)) return 'absent';
    if (REDIRECT.has(r.status)) return undefined;
    throw new WpmError('ERR_CACHE_HTTP', `${u.href} answered HTTP ${r.status}`, { status: r.status });
  }

  async getStream(rel: string, opts: ReadOptions = {}): Promise<AsyncIterable<Uint8Array> | undefined> {
    const raw = await this.#rawGet(new URL(rel, this.url + '/'), opts);
    if (raw === 'absent') return undefined;
    if (raw) return opts.reuseChunks ? raw : copies(raw);
    const r = await this.get(rel, opts);
    return r && body(r.res, r.href, r.timedOut);
  }

  async getText(rel: string, maxBytes = 1 << 20, opts: ReadOptions = {}): Promise<string | undefined> {
    const u = new URL(rel, this.url + '/');
    const raw = await this.#rawGet(u, opts);
    if (raw === 'absent') return undefined;
    const r = raw ? undefined : await this.get(rel, opts);
    if (!raw && !r) return undefined;
    const href = r?.href ?? u.href;
    // Past maxBytes the reading stops: a raw body's connection closes with it, Node's is destroyed.
    const source = raw ? copies(raw) : body(r!.res, r!.href, r!.timedOut);
    const buf = await readAll(source, maxBytes, () => {
      r?.res.destroy();
      return new WpmError('ERR_CACHE_TOO_BIG', `${href} is larger than ${maxBytes} bytes`);
    });
    return buf.toString('utf8');
  }

  async exists(rel: string): Promise<boolean> {
    const u = new URL(rel, this.url + '/');
    const { res } = await this.request('HEAD', u, undefined, {}, {});
    res.resume();
    if (res.statusCode === 200) return true;
    if (ABSENT.has(res.statusCode ?? 0)) return false;
    throw new WpmError('ERR_CACHE_HTTP', `${u.href} answered HTTP ${res.statusCode}`, { status: res.statusCode });
  }

  async put(rel: string, data: PutBody, opts: { contentType?: string } = {}): Promise<void> {
    const u = new URL(rel, this.url + '/');
    const size = typeof data === 'string' ? Buffer.byteLength(data) : 'file' in data ? fs.statSync(data.file).size : data.length;
    const headers: Record<string, string> = {
      'content-type': opts.contentType ?? 'application/octet-stream',
      'content-length': String(size),
    };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    const { res } = await this.request('PUT', u, data, headers);
    const text = (await readAll(res, 64 * 1024, () => new Error('answer too long')).catch(() => Buffer.alloc(0))).toString('utf8').trim();
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return;
    const detail = text ? `: ${text}` : '';
    if (status === 401 || status === 403) {
      throw new WpmError('ERR_CACHE_UPLOAD_DENIED', `${u.href} refused the upload (HTTP ${status})${detail}`, {
        hint: 'the server needs --allow-upload TOKEN, and the client the same token (--token or WPM_CACHE_TOKEN)',
      });
    }
    throw new WpmError('ERR_CACHE_HTTP', `uploading ${u.href}: HTTP ${status}${detail}`, { status });
  }
}

/** Each chunk copied: for readers that keep chunks, from a source that reuses its buffer. */
async function* copies(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) yield Buffer.from(chunk);
}

function interrupted(u: URL): WpmError {
  return new WpmError('ERR_INTERRUPTED', `${u.href}: interrupted`);
}

/**
 * Node's client hands a body on as its socket reads it: over TLS, one piece per record of at most
 * 16 KiB. Each piece would cost the NAR's reader a write(2), a hash on the main thread and a
 * parser step, so pieces are gathered into chunks of this much before they are handed on.
 */
const GATHER = 256 << 10;

/** The response body, with a premature end or a stall turned into a WpmError naming the URL. */
async function* body(res: Http.IncomingMessage, href: string, timedOut: () => boolean): AsyncGenerator<Uint8Array> {
  let got = 0;
  try {
    let parts: Buffer[] = [];
    let size = 0;
    const gathered = (): Buffer => {
      const out = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
      parts = [];
      size = 0;
      return out;
    };
    for await (const chunk of res as AsyncIterable<Buffer>) {
      got += chunk.length;
      parts.push(chunk);
      size += chunk.length;
      if (size >= GATHER) yield gathered();
    }
    if (size > 0) yield gathered();
  } catch (err) {
    if (isWpmError(err, 'ERR_INTERRUPTED') || isWpmError(err, 'ERR_CACHE_TIMEOUT')) throw err;
    if (timedOut()) throw new WpmError('ERR_CACHE_TIMEOUT', `${href}: the download stalled after ${got} bytes`, { cause: err });
    if (isWpmError(err)) throw err;
    throw new WpmError('ERR_CACHE_TRUNCATED', `${href}: the connection ended after ${got} bytes`, { cause: err });
  }
  if (!res.complete) throw new WpmError('ERR_CACHE_TRUNCATED', `${href}: the connection ended after ${got} bytes`);
}
