// GETs from a binary cache over HTTP and https (narinfos and NARs), read straight off the socket.
// Node's HTTP client hands a body to JavaScript by copying every piece the socket read into a new
// buffer, then pushes it through a stream; for a closure of 110 MB that was about 110 ms in its
// parser alone (docs/store-throughput.md). Here each connection reads into one buffer of its own
// (http-connection.ts), the answer's head is parsed once (http-framing.ts), and the body is
// handed on as views of that buffer, each valid until the next is asked for: the `reuseChunks`
// contract of cache.ts. This file keeps the connections; http-exchange.ts is one request.
//
// Only what a binary cache's GET needs: a status line and headers; a body framed by
// Content-Length, by chunks, or by the connection's end; connections kept alive. An answer other
// than 200 is handed back by its status alone (its body dropped): the caller says "absent" for a
// 404, names an error, or asks again with Node's client, which follows redirects. TLS connections
// trust the authorities of util/trusted-cas.ts, in the one context all connections share.

import type Net from 'node:net';
import { builtin } from '../../util/builtin.js';
import { trustedSecureContext } from '../../util/trusted-cas.js';
import { HttpConnection } from './http-connection.js';
import { Exchange, StaleConnection, interrupted, type RawAnswer, type RawGetOptions } from './http-exchange.js';

export type { RawAnswer, RawGetOptions };

const net = builtin<typeof Net>('node:net');

/** Connections kept alive per server once their answer is read. */
const MAX_IDLE = 16;

/** GETs whose answers are read off their sockets, over connections kept alive. */
export class RawHttpClient {
  readonly #idle = new Map<string, HttpConnection[]>();
  readonly #all = new Set<HttpConnection>();

  /** Closes every connection, idle or not. */
  close(): void {
    for (const c of this.#all) c.destroy();
    this.#all.clear();
    this.#idle.clear();
  }

  async get(u: URL, opts: RawGetOptions): Promise<RawAnswer> {
    if (opts.signal?.aborted) throw interrupted(u);
    const key = `${u.protocol}//${u.host}`;
    for (let attempt = 0; ; attempt++) {
      const conn = this.#take(key, u);
      const exchange = new Exchange(conn, u, opts, () => this.#release(conn, key));
      try {
        return await exchange.start();
      } catch (err) {
        // A kept-alive connection the server closed just before this request: once more, afresh.
        if (err instanceof StaleConnection && conn.reused && attempt === 0) continue;
        throw err instanceof StaleConnection ? err.reason : err;
      }
    }
  }

  #take(key: string, u: URL): HttpConnection {
    const idle = this.#idle.get(key);
    const kept = idle?.pop();
    if (kept) {
      kept.socket.ref();
      return kept;
    }
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    const secure = u.protocol === 'https:' ? { servername: net().isIP(host) ? undefined : host, context: trustedSecureContext() } : undefined;
    const conn = new HttpConnection(host, Number(u.port || (secure ? 443 : 80)), secure);
    this.#all.add(conn);
    conn.onGone = () => {
      this.#all.delete(conn);
      const list = this.#idle.get(key);
      const at = list?.indexOf(conn) ?? -1;
      if (at >= 0) list!.splice(at, 1);
    };
    return conn;
  }

  /** An answer read to its end: the connection waits for the next request, if there is room. */
  #release(conn: HttpConnection, key: string): void {
    const list = this.#idle.get(key) ?? [];
    if (list.length >= MAX_IDLE) return conn.destroy();
    this.#idle.set(key, list);
    list.push(conn);
    conn.reused = true;
    conn.socket.unref(); // an idle connection never keeps the process alive
    // Read on while idle: the server closing it, or sending anything unasked, ends it.
    void conn.read().then(() => conn.destroy());
  }
}
