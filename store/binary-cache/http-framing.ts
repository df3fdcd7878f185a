// How an HTTP/1.1 answer is framed, for wpm's own client (raw-http-get.ts): its head (status
// line and headers, of which only those that frame the body matter here) and a chunked body's
// framing, undone as the bytes arrive, with the data handed on as views of the chunks given.

/** The longest status line and headers accepted. */
export const MAX_HEAD = 64 << 10;
/** Where the head ends. */
export const CRLFCRLF = Buffer.from('\r\n\r\n');
/** The longest line of chunk framing (a size with extensions, a trailer). */
const MAX_LINE = 4096;

/** The answer's head: status, and the headers that matter for framing it. */
export interface Head {
  status: number;
  keepAlive: boolean;
  chunked: boolean;
  length: number | undefined;
}

export function parseHead(text: string): Head | string {
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
export class Dechunker {
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
