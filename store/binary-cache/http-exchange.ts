// One GET and its answer on one connection of wpm's own HTTP client (raw-http-get.ts), with its
// limits: no byte for the timeout while one is awaited, the whole read by its deadline, Ctrl-C
// at once. A 200's body is read as the caller asks for it; another answer's body is dropped.
import { WpmError, isWpmError } from '../../util/index.js';
import { unknownAuthorityHint } from '../../util/trusted-cas.js';
import type { Arrival, HttpConnection } from './http-connection.js';
import { CRLFCRLF, Dechunker, MAX_HEAD, parseHead, type Head } from './http-framing.js';

/** The longest body of an answer other than 200 read (and dropped) to keep its connection. */
const MAX_DISCARD = 64 << 10;

export interface RawGetOptions {
  /** Milliseconds without a byte before the read gives up. */
  timeoutMs: number;
  /** Milliseconds the whole read may take, counted from `started`. */
  deadlineMs: number;
  started: number;
  signal?: AbortSignal | undefined;
}

/** A 200's body as views of a reused buffer, or another status (its body dropped). */
export type RawAnswer = { status: 200; body: AsyncGenerator<Uint8Array> } | { status: number; body?: undefined };

/** One request and its answer on one connection, with its limits: idle time, deadline, Ctrl-C. */
export class Exchange {
  readonly #conn: HttpConnection;
  readonly #u: URL;
  readonly #opts: RawGetOptions;
  readonly #reusable: () => void;
  #answered = false;
  #got = 0;
  #waitingForBytes = false;
  #idleTimer: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;
  #onAbort = () => this.#fail(interrupted(this.#u));

  constructor(conn: HttpConnection, u: URL, opts: RawGetOptions, reusable: () => void) {
    this.#conn = conn;
    this.#u = u;
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
      this.#fail(new WpmError('ERR_CACHE_TIMEOUT', `${this.#u.href}: ${what}`));
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
        const hint = unknownAuthorityHint(error);
        const unreachable = new WpmError('ERR_CACHE_UNREACHABLE', `cannot reach ${this.#u.href}: ${why}`, { cause: error, ...(hint ? { hint } : {}) });
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
    this.#fail(new WpmError('ERR_CACHE_TIMEOUT', `${this.#u.href}: ${what}`));
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
    return new WpmError('ERR_CACHE_TRUNCATED', `${this.#u.href}: the connection ended after ${this.#got} bytes`, { cause });
  }

  #malformed(what: string): WpmError {
    return new WpmError('ERR_CACHE_UNREACHABLE', `cannot read ${this.#u.href}: the server sent ${what}`);
  }
}

/** A request on a kept-alive connection that the server had closed: worth one more try. */
export class StaleConnection extends Error {
  constructor(readonly reason: WpmError) {
    super(reason.message);
  }
}

export function interrupted(u: URL): WpmError {
  return new WpmError('ERR_INTERRUPTED', `${u.href}: interrupted`);
}
