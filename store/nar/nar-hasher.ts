// The SHA-256 of a NAR as it streams in, computed on a thread of libuv's pool while the main
// thread parses and writes the same chunk (native/sha256-pool, OpenSSL as node:crypto uses it).
// Hashing is about 70 ms of the main thread's time per 110 MB substituted; this way it overlaps
// the writes instead of adding to them. The chunk is not copied: the caller keeps it unchanged
// until update()'s promise settles (parseNar awaits it before reading the next chunk).
//
// Where the native module was not built, node:crypto hashes on the main thread, as before.
import { loadNative } from '../../util/dist-dir.js';
import { HashSink, type Hash } from '../format/index.js';

type Handle = { readonly __sha256: unique symbol };
type NativeSha256 = {
  create(): Handle;
  update(h: Handle, bytes: Uint8Array): Promise<void>;
  updateSync(h: Handle, bytes: Uint8Array): void;
  digest(h: Handle): Buffer;
};

/** Chunks smaller than this are hashed where they are: a trip to the pool costs more. */
const POOL_FROM = 64 << 10;


export interface NarHasher {
  /** Bytes seen so far. */
  readonly size: number;
  /** Hashes `chunk`; if a promise is returned, `chunk` must stay unchanged until it settles. */
  update(chunk: Uint8Array): void | Promise<void>;
  /** The SHA-256 of everything given, once every update has settled. */
  digest(): Hash;
}

class PoolHasher implements NarHasher {
  readonly #native: NativeSha256;
  readonly #handle: Handle;
  #size = 0;

  constructor(n: NativeSha256) {
    this.#native = n;
    this.#handle = n.create();
  }

  get size(): number {
    return this.#size;
  }

  update(chunk: Uint8Array): void | Promise<void> {
    this.#size += chunk.length;
    if (chunk.length < POOL_FROM) return this.#native.updateSync(this.#handle, chunk);
    return this.#native.update(this.#handle, chunk);
  }

  digest(): Hash {
    return { algo: 'sha256', digest: new Uint8Array(this.#native.digest(this.#handle)) };
  }
}

/** A SHA-256 hasher for a NAR: on libuv's pool where wpm's native module is built (`pool`). */
export function narHasher(opts: { pool?: boolean } = {}): NarHasher {
  const n = opts.pool === false ? null : loadNative<NativeSha256>('sha256-pool');
  return n ? new PoolHasher(n) : new HashSink('sha256');
}
