// Pulls exact byte counts out of an async stream of chunks, without copying when the bytes lie
// in one chunk. Used by the NAR parser; knows nothing of NAR itself beyond its error code.

import { WpmError } from '../../util/errors.js';

const EMPTY = new Uint8Array(0);

export class ByteReader {
  readonly #it: AsyncIterator<Uint8Array>;
  #chunk: Uint8Array = EMPTY;
  #pos = 0;
  #consumed = 0; // bytes of earlier chunks, so errors can name an offset
  #done = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#it = source[Symbol.asyncIterator]();
  }

  /** Offset of the next unread byte from the start of the stream. */
  get offset(): number {
    return this.#consumed + this.#pos;
  }

  /** Makes sure the current chunk has unread bytes; false at the end of the stream. */
  async #fill(): Promise<boolean> {
    while (this.#pos >= this.#chunk.length) {
      if (this.#done) return false;
      const r = await this.#it.next();
      if (r.done) {
        this.#done = true;
        return false;
      }
      this.#consumed += this.#chunk.length;
      this.#chunk = r.value;
      this.#pos = 0;
    }
    return true;
  }

  #truncated(what: string): WpmError {
    return new WpmError('ERR_NAR_TRUNCATED', `NAR ends early at byte ${this.offset} while reading ${what}`);
  }

  /** Exactly `n` bytes; a view into the source chunk when possible, so do not keep it long. */
  async readExact(n: number, what: string): Promise<Uint8Array> {
    if (n === 0) return EMPTY;
    if (!(await this.#fill())) throw this.#truncated(what);
    if (this.#chunk.length - this.#pos >= n) {
      const view = this.#chunk.subarray(this.#pos, this.#pos + n);
      this.#pos += n;
      return view;
    }
    // Callers bound `n` before calling, so this allocation is never attacker-sized.
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      if (!(await this.#fill())) throw this.#truncated(what);
      const take = Math.min(n - filled, this.#chunk.length - this.#pos);
      out.set(this.#chunk.subarray(this.#pos, this.#pos + take), filled);
      this.#pos += take;
      filled += take;
    }
    return out;
  }

  /** Up to `max` (> 0) bytes, whatever the current chunk holds: for streaming large contents. */
  async readSome(max: number, what: string): Promise<Uint8Array> {
    if (!(await this.#fill())) throw this.#truncated(what);
    const take = Math.min(max, this.#chunk.length - this.#pos);
    const view = this.#chunk.subarray(this.#pos, this.#pos + take);
    this.#pos += take;
    return view;
  }

  async atEnd(): Promise<boolean> {
    return !(await this.#fill());
  }
}
