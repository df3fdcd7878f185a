// The NAR parser's reader: the format's fields (u64 lengths, and strings as a length, the bytes and
// zero padding to a multiple of 8) out of chunks pushed one after another. A field that straddles
// chunks is gathered in a small buffer of its own; everything else is a view into the chunk.

import { WpmError } from '../../util/errors.js';
import type { ErrorCode } from '../../util/error-codes.js';
import { MAX_TARGET_BYTES, padding } from './nar-wire.js';

const EMPTY = new Uint8Array(0);

export class NarFieldReader {
  #chunk: Uint8Array = EMPTY;
  #pos = 0;
  #consumed = 0; // bytes of earlier chunks, so errors can name an offset
  /** The longest field gathered is a length-prefixed symlink target; contents never are. */
  readonly #carry = new Uint8Array(8 + MAX_TARGET_BYTES + 8);
  #carried = 0;
  /** The length of the string being read, once its prefix is in; -1 before. */
  #stringLength = -1;

  /** Offset of the next unread byte from the start of the archive. */
  get offset(): number {
    return this.#consumed + this.#pos;
  }

  /** Whether the current chunk has unread bytes. */
  get more(): boolean {
    return this.#pos < this.#chunk.length;
  }

  /** The next chunk; the one before must have been read to its end. */
  feed(chunk: Uint8Array): void {
    this.#consumed += this.#chunk.length;
    this.#chunk = chunk;
    this.#pos = 0;
  }

  fail(code: ErrorCode, message: string): WpmError {
    return new WpmError(code, `invalid NAR at byte ${this.offset}: ${message}`);
  }

  /**
   * `n` bytes, gathered across chunks; undefined until all are in. A gathered field is valid only
   * until the next one is gathered: copy what must last.
   */
  take(n: number): Uint8Array | undefined {
    const avail = this.#chunk.length - this.#pos;
    if (this.#carried === 0 && avail >= n) {
      const view = this.#chunk.subarray(this.#pos, this.#pos + n);
      this.#pos += n;
      return view;
    }
    const k = Math.min(n - this.#carried, avail);
    this.#carry.set(this.#chunk.subarray(this.#pos, this.#pos + k), this.#carried);
    this.#carried += k;
    this.#pos += k;
    if (this.#carried < n) return undefined;
    this.#carried = 0;
    return this.#carry.subarray(0, n);
  }

  /** Up to `max` (> 0) bytes of what the current chunk holds, never gathered: for contents. */
  some(max: number): Uint8Array {
    const take = Math.min(max, this.#chunk.length - this.#pos);
    const view = this.#chunk.subarray(this.#pos, this.#pos + take);
    this.#pos += take;
    return view;
  }

  /** A u64 length, checked against `max` before anything is read or allocated; undefined until in. */
  length(max: number, what: string): number | undefined {
    const b = this.take(8);
    if (b === undefined) return undefined;
    // `+` for the top byte: `|` would turn values of 2^31 and up into negative int32s.
    const lo = (b[0] | (b[1] << 8) | (b[2] << 16)) + b[3] * 0x100_0000;
    const hi = (b[4] | (b[5] << 8) | (b[6] << 16)) + b[7] * 0x100_0000;
    const n = hi * 0x1_0000_0000 + lo;
    if (hi > 0x1f_ffff || n > max) {
      throw this.fail('ERR_NAR_BAD_LENGTH', `${what} claims ${hi > 0x1f_ffff ? 'over 2^53' : n} bytes (at most ${max} allowed)`);
    }
    return n;
  }

  /** `n` zero bytes of padding; false until they are in. */
  padding(n: number, what: string): boolean {
    const b = this.take(n);
    if (b === undefined) return false;
    for (const byte of b) {
      if (byte !== 0) throw this.fail('ERR_NAR_BAD_PADDING', `non-zero padding after ${what}`);
    }
    return true;
  }

  /** One whole string of at most `max` bytes, or undefined while it is incomplete. */
  string(max: number, what: string): Uint8Array | undefined {
    if (this.#stringLength < 0) {
      const n = this.length(max, what);
      if (n === undefined) return undefined;
      this.#stringLength = n;
    }
    const n = this.#stringLength;
    const b = this.take(n + padding(n));
    if (b === undefined) return undefined;
    this.#stringLength = -1;
    for (let i = n; i < b.length; i++) {
      if (b[i] !== 0) throw this.fail('ERR_NAR_BAD_PADDING', `non-zero padding after ${what}`);
    }
    return b.subarray(0, n);
  }
}
