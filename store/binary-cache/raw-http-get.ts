// GETs from a binary cache over plain HTTP (narinfos and NARs), read straight off the socket.
// Node's HTTP client hands a body to JavaScript by copying every piece the socket read into a new
// buffer, then pushes it through a stream; for a closure of 110 MB that was about 110 ms of
// copying in its parser alone, and twice the garbage collection of the same copy from a file://
// cache (docs/store-throughput.md). Here each connection reads into one buffer of its own
// (net.Socket's `onread`), the answer's head is parsed once, and the body is handed on as views
// of that buffer, each valid until the next is asked for: the `reuseChunks` contract of
// cache.ts. The socket is paused while a view is out, so the kernel holds what comes next.
//
// Only what a binary cache's GET needs: a status line and headers; a body framed by
// Content-Length, by chunks, or by the connection's end; connections kept alive. An answer other
// than 200 is handed back by its status alone (its body dropped): the caller says "absent" for a
// 404, names an error, or asks again with Node's client, which follows redirects. https stays
// with Node's client.

import type Net from 'node:net';
import { WpmError, isWpmError } from '../../util/index.js';
import { builtin } from '../../util/builtin.js';

const net = builtin<typeof Net>('node:net');

/** Each connection's read buffer: a read from loopback brings at most about this much. */
const READ_SIZE = 512 << 10;
/** The longest status line and headers accepted. */
const MAX_HEAD = 64 << 10;
/** The longest line of chunk framing (a size with extensions, a trailer). */
const MAX_LINE = 4096;
/** The longest body of an answer other than 200 read (and dropped) to keep its connection. */
const MAX_DISCARD = 64 << 10;
/** Connections kept alive per server once their answer is read. */
const MAX_IDLE = 16;
const CRLFCRLF = Buffer.from('\r\n\r\n');

export interface RawGetOptions {
  /** Milliseconds without a byte before the read gives up. */
  timeoutMs: number;
  /** Milliseconds the whole read may take, counted from `started`. */
  deadlineMs: number;
  started: number;
  signal?: AbortSignal | undefined;
}

/** A 200's body as views of a reused buffer, or another status (its connection is closed). */
export type RawAnswer = { status: 200; body: AsyncGenerator<Uint8Array> } | { status: number; body?: undefined };

/** What a read brought: bytes, the end of the connection, or its failure. */
type Arrival = { chunk: Uint8Array } | { end: true } | { error: Error };

/** One kept-alive TCP connection, read one chunk at a time into its own buffer. */
class Connection {
  readonly socket: Net.Socket;
  #waiting: ((a: Arrival) => void) | undefined;
  /** How the connection ended, once it has: every later read gets this. */
  #over: Arrival | undefined;
  /** True once it carried an answer: a server may have closed it since. */
  reused = false;
  /** Called when the connection ends (the pool forgets it). */
  onGone: () => void = () => undefined;

  constructor(host: string, port: number) {
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    this.socket = net().connect({ host, port, noDelay: true, onread: { buffer, callback: (n) => this.#arrived({ chunk: buffer.subarray(0, n) }) } });
    this.socket.on('end', () => this.#finish({ end: true }));
    this.socket.on('close', () => this.#finish({ end: true }));
    this.socket.on('error', (error) => this.#finish({ error }));
  }

  /** The next bytes (valid until the next read), or the end, or the failure. */
  read(): Promise<Arrival> {
    if (this.#over) return Promise.resolve(this.#over);
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.socket.resume();
    });
  }

  write(data: string): void {
    this.socket.write(data);
  }

  destroy(err?: Error): void {
    this.#finish(err ? { error: err } : { end: true });
    this.socket.destroy();
  }

  /** Returns false: the socket stays paused until the next read() asks for more. */
  #arrived(a: { chunk: Uint8Array }): boolean {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting) waiting(a);
    else this.destroy(); // bytes nobody asked for (on an idle connection): it cannot be trusted
    return false;
  }

  #finish(a: Arrival): void {
    if (this.#over) return;
    this.#over = a;
    this.onGone();
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(a);
  }
}

/** The answer's head: status, and the headers that matter for framing it. */
interface Head {
  status: number;
  keepAlive: boolean;
  chunked: boolean;
  length: number | undefined;
}

function parseHead(text: string): Head | string {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0]!);
  if (!m) return `a bad status line '${lines[0]!.slice(0, 80)}'`;
  let keepAlive = m[1] === '1';
  let chunked = false;
  let length: number | undefined;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return `a bad header line '${line.slice(0, 80)}'`;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      if (!/^\d{1,15}$/.test(value) || (length !== undefined && length !== Number(value))) return `a bad Content-Length '${value.slice(0, 40)}'`;
      length = Number(value);
    } else if (name === 'transfer-encoding') {
      const codings = value.toLowerCase().split(',').map((s) => s.trim());
      if (codings[codings.length - 1] !== 'chunked' || codings.length > 1) return `a Transfer-Encoding wpm does not read: '${value.slice(0, 40)}'`;
      chunked = true;
    } else if (name === 'connection') {
      const tokens = value.toLowerCase().split(',').map((s) => s.trim());
      if (tokens.includes('close')) keepAlive = false;
    } else if (name === 'content-encoding' && value.toLowerCase() !== 'identity') {
      return `a Content-Encoding wpm did not ask for: '${value.slice(0, 40)}'`;
    }
  }
  if (chunked) length = undefined; // chunks frame the body, whatever a Content-Length says
  return { status: Number(m[2]), keepAlive, chunked, length };
}

/** Reads a chunked body's framing; hands its data on as views of the chunks given. */
class Dechunker {
  #state: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size';
  #left = 0;
  #line = '';

  get done(): boolean {
    return this.#state === 'done';
  }

  /** The data in `chunk`, in order; throws a message on bad framing. */
  *data(chunk: Uint8Array): Generator<Uint8Array> {
    let i = 0;
    while (i < chunk.length && this.#state !== 'done') {
      if (this.#state === 'data') {
        const n = Math.min(this.#left, chunk.length - i);
        yield chunk.subarray(i, i + n);
        i += n;
        this.#left -= n;
        if (this.#left === 0) this.#state = 'data-end';
        continue;
      }
      const nl = chunk.indexOf(10, i);
      const end = nl < 0 ? chunk.length : nl;
      this.#line += Buffer.from(chunk.buffer, chunk.byteOffset + i, end - i).toString('latin1');
      if (this.#line.length > MAX_LINE) throw new Error('a chunk line too long');
      i = nl < 0 ? chunk.length : nl + 1;
      if (nl < 0) break;
      const line = this.#line.endsWith('\r') ? this.#line.slice(0, -1) : this.#line;
      this.#line = '';
      if (this.#state === 'size') {
        const size = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(line);
        if (!size) throw new Error(`a bad chunk size '${line.slice(0, 40)}'`);
        this.#left = parseInt(size[1]!, 16);
        this.#state = this.#left === 0 ? 'trailer' : 'data';
      } else if (this.#state === 'data-end') {
        if (line !== '') throw new Error('a chunk longer than its size');
        this.#state = 'size';
      } else if (line === '') {
        this.#state = 'done'; // the empty line after the trailers
      }
    }
    if (this.#state === 'done' && i < chunk.length) throw new Error('bytes after the last chunk');
  }
}

/** Plain-HTTP GETs whose answers are read off their sockets, over connections kept alive. */
export class RawHttpClient {
  readonly #idle = new Map<string, Connection[]>();
  readonly #all = new Set<Connection>();

  /** Closes every connection, idle or not. */
  close(): void {
    for (const c of this.#all) c.destroy();
    this.#all.clear();
    this.#idle.clear();
  }

  async get(u: URL, opts: RawGetOptions): Promise<RawAnswer> {
    if (opts.signal?.aborted) throw interrupted(u);
    const key = `${u.hostname}:${u.port || 80}`;
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

  #take(key: string, u: URL): Connection {
    const idle = this.#idle.get(key);
    const kept = idle?.pop();
    if (kept) {
      kept.socket.ref();
      return kept;
    }
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    const conn = new Connection(host, Number(u.port || 80));
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
  #release(conn: Connection, key: string): void {
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

/** One request and its answer on one connection, with its limits: idle time, deadline, Ctrl-C. */
class Exchange {
  readonly #conn: Connection;
  readonly #u: URL;
  readonly #href: string;
  readonly #opts: RawGetOptions;
  readonly #reusable: () => void;
  #answered = false;
  #got = 0;
  #waitingForBytes = false;
  #idleTimer: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;
  #onAbort = () => this.#fail(interrupted(this.#u));

  constructor(conn: Connection, u: URL, opts: RawGetOptions, reusable: () => void) {
    this.#conn = conn;
    this.#u = u;
    this.#href = u.href;
    this.#opts = opts;
    this.#reusable = reusable;
  }

  /** Sends the request and reads the answer's head; a 200's body is read as the caller asks. */
  async start(): Promise<RawAnswer> {
    const { timeoutMs, deadlineMs, started, signal } = this.#opts;
    // No byte for timeoutMs while one is awaited (not while the reader holds a chunk); the
    // whole read by its deadline; Ctrl-C at once.
    this.#idleTimer = setTimeout(() => {
      if (this.#waitingForBytes) this.#stalled();
      else this.#idleTimer?.refresh();
    }, timeoutMs);
    this.#deadline = setTimeout(() => {
      const what = this.#answered ? `not done within ${deadlineMs / 1000} s (a cache this slow is not used)` : `no answer within ${deadlineMs / 1000} s`;
      this.#fail(new WpmError('ERR_CACHE_TIMEOUT', `${this.#href}: ${what}`));
    }, Math.max(0, deadlineMs - (Date.now() - started)));
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    let head: Head;
    let rest: Uint8Array;
    try {
      this.#conn.write(`GET ${this.#u.pathname}${this.#u.search} HTTP/1.1\r\nHost: ${this.#u.host}\r\nAccept-Encoding: identity\r\nConnection: keep-alive\r\n\r\n`);
      ({ head, rest } = await this.#readHead());
    } catch (err) {
      this.#settle();
      this.#conn.destroy();
      throw err;
    }
    this.#answered = true;
    if (head.status !== 200) {
      await this.#discard(head, rest);
      return { status: head.status };
    }
    return { status: 200, body: this.#body(head, rest) };
  }

  /**
   * Reads and drops the body of an answer other than 200 (a 404 for a narinfo the cache lacks is
   * common), so the connection serves the next request; one too long, or framed by the
   * connection's end, closes it instead.
   */
  async #discard(head: Head, rest: Uint8Array): Promise<void> {
    if (head.status === 204 || head.status === 304) head.length = 0;
    if (!head.chunked && (head.length === undefined || head.length > MAX_DISCARD)) {
      this.#settle();
      this.#conn.destroy();
      return;
    }
    let dropped = 0;
    const body = this.#body(head, rest);
    try {
      for await (const piece of body) {
        dropped += piece.length;
        if (dropped > MAX_DISCARD) break; // the generator's end closes the connection
      }
    } catch {
      // The status is the answer; a body cut short only costs the connection.
    }
  }

  async #next(): Promise<Arrival> {
    this.#waitingForBytes = true;
    this.#idleTimer?.refresh();
    const a = await this.#conn.read();
    this.#waitingForBytes = false;
    return a;
  }

  async #readHead(): Promise<{ head: Head; rest: Uint8Array }> {
    let seen = Buffer.alloc(0);
    for (;;) {
      const a = await this.#next();
      if (!('chunk' in a)) {
        const error = 'error' in a ? a.error : undefined;
        if (isWpmError(error)) throw error;
        const why = error ? ((error as NodeJS.ErrnoException).code ?? error.message) : 'the connection closed without an answer';
        const unreachable = new WpmError('ERR_CACHE_UNREACHABLE', `cannot reach ${this.#href}: ${why}`, { cause: error });
        throw seen.length === 0 ? new StaleConnection(unreachable) : unreachable;
      }
      const before = seen.length;
      seen = Buffer.concat([seen, a.chunk.subarray(0, MAX_HEAD + 4 - before)]);
      const at = seen.indexOf(CRLFCRLF, Math.max(0, before - 3));
      if (at < 0) {
        if (seen.length > MAX_HEAD) throw this.#malformed(`headers longer than ${MAX_HEAD} bytes`);
        continue;
      }
      const head = parseHead(seen.subarray(0, at).toString('latin1'));
      if (typeof head === 'string') throw this.#malformed(head);
      return { head, rest: a.chunk.subarray(at + 4 - before) };
    }
  }

  async *#body(head: Head, first: Uint8Array): AsyncGenerator<Uint8Array> {
    const dechunker = head.chunked ? new Dechunker() : undefined;
    let left = head.length; // of a Content-Length body
    let complete = false;
    try {
      for (let chunk: Uint8Array | undefined = first; ; chunk = undefined) {
        if (chunk === undefined) {
          const a = await this.#next();
          if ('error' in a) throw isWpmError(a.error) ? a.error : this.#truncated(a.error);
          if ('end' in a) {
            if (dechunker || left !== undefined) throw this.#truncated();
            complete = true; // a body framed by the connection's end
            return;
          }
          chunk = a.chunk;
        }
        let pieces: Uint8Array[];
        if (dechunker) {
          try {
            pieces = [...dechunker.data(chunk)];
          } catch (err) {
            throw this.#malformed((err as Error).message);
          }
          complete = dechunker.done;
        } else if (left !== undefined) {
          if (chunk.length > left) throw this.#malformed(`more than its Content-Length ${head.length}`);
          left -= chunk.length;
          pieces = [chunk];
          complete = left === 0;
        } else pieces = [chunk];
        for (const piece of pieces) {
          if (piece.length === 0) continue;
          this.#got += piece.length;
          yield piece;
        }
        if (complete) return;
      }
    } finally {
      this.#settle();
      if (complete && head.keepAlive && (dechunker || left !== undefined)) this.#reusable();
      else this.#conn.destroy();
    }
  }

  #stalled(): void {
    const what = this.#answered ? `the download stalled after ${this.#got} bytes` : `no answer within ${this.#opts.timeoutMs / 1000} s`;
    this.#fail(new WpmError('ERR_CACHE_TIMEOUT', `${this.#href}: ${what}`));
  }

  #fail(err: WpmError): void {
    this.#conn.destroy(err);
  }

  #settle(): void {
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#deadline);
    this.#opts.signal?.removeEventListener('abort', this.#onAbort);
  }

  #truncated(cause?: Error): WpmError {
    return new WpmError('ERR_CACHE_TRUNCATED', `${this.#href}: the connection ended after ${this.#got} bytes`, { cause });
  }

  #malformed(what: string): WpmError {
    return new WpmError('ERR_CACHE_UNREACHABLE', `cannot read ${this.#href}: the server sent ${what}`);
  }
}

/** A request on a kept-alive connection that the server had closed: worth one more try. */
class StaleConnection extends Error {
  constructor(readonly reason: WpmError) {
    super(reason.message);
  }
}

function interrupted(u: URL): WpmError {
  return new WpmError('ERR_INTERRUPTED', `${u.href}: interrupted`);
}
