// Streaming NAR parser with full validation: only canonical NARs (the exact bytes NarWriter and
// `nix-store --dump` produce) are accepted, so a NAR that parses always restores to a tree whose
// NAR hash is the hash of the bytes parsed. Lengths are checked before anything is allocated and
// the tree is walked with an explicit stack, so hostile input costs bounded memory.

import { WpmError } from '../../util/errors.js';
import type { ErrorCode } from '../../util/error-codes.js';
import { ByteReader } from './byte-reader.js';
import {
  MAX_DEPTH,
  MAX_TARGET_BYTES,
  MAX_NAME_BYTES,
  NAR_MAGIC,
  badEntryName,
  compareNames,
  describeName,
  padding,
} from './nar-wire.js';

/**
 * Receives the tree as events, in the order of the NarWriter API. Every method is optional and
 * may return a promise, which the parser awaits before reading on (backpressure). Byte arrays
 * handed out are views into the source's chunks: copy them to keep them.
 */
export interface NarVisitor {
  file?(executable: boolean, size: number): void | Promise<void>;
  contents?(chunk: Uint8Array): void | Promise<void>;
  endFile?(): void | Promise<void>;
  symlink?(target: Uint8Array): void | Promise<void>;
  startDirectory?(): void | Promise<void>;
  entry?(name: Uint8Array): void | Promise<void>;
  endEntry?(): void | Promise<void>;
  endDirectory?(): void | Promise<void>;
}

// The longest token in the format is "nix-archive-1" (13 bytes).
const MAX_TOKEN_BYTES = 16;
// Contents larger than this cannot be counted exactly in a JS number; no real file gets near it.
const MAX_CONTENTS = Number.MAX_SAFE_INTEGER;

class NarParser {
  readonly #r: ByteReader;
  readonly #v: NarVisitor;
  readonly #dirs: { lastName: Uint8Array | undefined }[] = [];

  constructor(source: AsyncIterable<Uint8Array>, visitor: NarVisitor) {
    this.#r = new ByteReader(source);
    this.#v = visitor;
  }

  #fail(code: ErrorCode, message: string): WpmError {
    return new WpmError(code, `invalid NAR at byte ${this.#r.offset}: ${message}`);
  }

  async #readLength(max: number, what: string): Promise<number> {
    const b = await this.#r.readExact(8, `the length of ${what}`);
    // `+` for the top byte: `|` would turn values of 2^31 and up into negative int32s.
    const lo = (b[0] | (b[1] << 8) | (b[2] << 16)) + b[3] * 0x100_0000;
    const hi = (b[4] | (b[5] << 8) | (b[6] << 16)) + b[7] * 0x100_0000;
    const n = hi * 0x1_0000_0000 + lo;
    if (hi > 0x1f_ffff || n > max) {
      throw this.#fail('ERR_NAR_BAD_LENGTH', `${what} claims ${hi > 0x1f_ffff ? 'over 2^53' : n} bytes (at most ${max} allowed)`);
    }
    return n;
  }

  async #readPadding(length: number, what: string): Promise<void> {
    const pad = await this.#r.readExact(padding(length), `the padding of ${what}`);
    for (const byte of pad) {
      if (byte !== 0) throw this.#fail('ERR_NAR_BAD_PADDING', `non-zero padding after ${what}`);
    }
  }

  async #readBytes(max: number, what: string): Promise<Uint8Array> {
    const n = await this.#readLength(max, what);
    const bytes = await this.#r.readExact(n, what);
    await this.#readPadding(n, what);
    return bytes;
  }

  async #readToken(): Promise<string> {
    const bytes = await this.#readBytes(MAX_TOKEN_BYTES, 'a token');
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  }

  async #expect(token: string): Promise<void> {
    const got = await this.#readToken();
    if (got !== token) {
      throw this.#fail('ERR_NAR_BAD_TOKEN', `expected ${JSON.stringify(token)}, found ${JSON.stringify(got)}`);
    }
  }

  /** Parses one node; a directory is only opened (pushed), its entries are read by run(). */
  async #node(): Promise<'leaf' | 'directory'> {
    await this.#expect('(');
    await this.#expect('type');
    const type = await this.#readToken();
    switch (type) {
      case 'regular':
        await this.#regular();
        return 'leaf';
      case 'symlink':
        await this.#symlink();
        return 'leaf';
      case 'directory':
        if (this.#dirs.length >= MAX_DEPTH) {
          throw this.#fail('ERR_NAR_TOO_DEEP', `directories nested deeper than ${MAX_DEPTH}`);
        }
        this.#dirs.push({ lastName: undefined });
        await this.#v.startDirectory?.();
        return 'directory';
      default:
        throw this.#fail('ERR_NAR_BAD_TOKEN', `unknown node type ${JSON.stringify(type)}`);
    }
  }

  async #regular(): Promise<void> {
    let token = await this.#readToken();
    let executable = false;
    if (token === 'executable') {
      const marker = await this.#readBytes(MAX_TOKEN_BYTES, 'the executable marker');
      if (marker.length !== 0) throw this.#fail('ERR_NAR_BAD_TOKEN', 'the executable marker must be empty');
      executable = true;
      token = await this.#readToken();
    }
    if (token !== 'contents') {
      throw this.#fail('ERR_NAR_BAD_TOKEN', `expected "contents", found ${JSON.stringify(token)}`);
    }
    const size = await this.#readLength(MAX_CONTENTS, 'file contents');
    await this.#v.file?.(executable, size);
    for (let left = size; left > 0; ) {
      const chunk = await this.#r.readSome(left, 'file contents');
      left -= chunk.length;
      await this.#v.contents?.(chunk);
    }
    await this.#readPadding(size, 'file contents');
    await this.#expect(')');
    await this.#v.endFile?.();
  }

  async #symlink(): Promise<void> {
    await this.#expect('target');
    const target = await this.#readBytes(MAX_TARGET_BYTES, 'a symlink target');
    if (target.length === 0) throw this.#fail('ERR_NAR_BAD_TARGET', 'empty symlink target');
    if (target.includes(0)) throw this.#fail('ERR_NAR_BAD_TARGET', 'symlink target contains NUL');
    await this.#expect(')');
    await this.#v.symlink?.(target);
  }

  async #entry(): Promise<void> {
    const dir = this.#dirs[this.#dirs.length - 1];
    await this.#expect('(');
    await this.#expect('name');
    const name = await this.#readBytes(MAX_NAME_BYTES, 'an entry name');
    const why = badEntryName(name);
    if (why) throw this.#fail('ERR_NAR_BAD_NAME', `bad entry ${describeName(name)}: ${why}`);
    if (dir.lastName) {
      const order = compareNames(dir.lastName, name);
      if (order === 0) throw this.#fail('ERR_NAR_DUPLICATE_ENTRY', `duplicate entry ${describeName(name)}`);
      if (order > 0) {
        throw this.#fail(
          'ERR_NAR_UNSORTED',
          `entry ${describeName(name)} comes after ${describeName(dir.lastName)} but sorts before it`,
        );
      }
    }
    // Copy: the name must outlive the source chunk it was read from.
    dir.lastName = Uint8Array.from(name);
    await this.#expect('node');
    await this.#v.entry?.(dir.lastName);
    if ((await this.#node()) === 'leaf') await this.#endEntry();
  }

  async #endEntry(): Promise<void> {
    await this.#expect(')');
    await this.#v.endEntry?.();
  }

  async run(): Promise<void> {
    await this.#expect(NAR_MAGIC).catch((err: unknown) => {
      // Whatever is wrong with the first string, the plain truth is that this is no NAR.
      if (err instanceof WpmError && err.code !== 'ERR_NAR_TRUNCATED') {
        throw new WpmError('ERR_NAR_BAD_MAGIC', `not a NAR: it does not start with "${NAR_MAGIC}"`, { cause: err });
      }
      throw err;
    });
    await this.#node();
    while (this.#dirs.length > 0) {
      const token = await this.#readToken();
      if (token === 'entry') {
        await this.#entry();
      } else if (token === ')') {
        this.#dirs.pop();
        await this.#v.endDirectory?.();
        if (this.#dirs.length > 0) await this.#endEntry();
      } else {
        throw this.#fail('ERR_NAR_BAD_TOKEN', `expected "entry" or ")" in a directory, found ${JSON.stringify(token)}`);
      }
    }
    if (!(await this.#r.atEnd())) throw this.#fail('ERR_NAR_TRAILING_BYTES', 'bytes after the end of the archive');
  }
}

export function parseNar(source: AsyncIterable<Uint8Array>, visitor: NarVisitor = {}): Promise<void> {
  return new NarParser(source, visitor).run();
}
