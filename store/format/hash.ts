// Content hashes in the two textual forms wpm accepts: Nix's `<algo>:<digest>` (digest in nix32,
// base16 or base64, told apart by length) and SRI `<algo>-<base64>`. Hashing itself is digest.ts
// (node:crypto, or plain code in a browser bundle).

import { WpmError } from '../../util/errors.js';
import { createDigester, digestOnce, type Digester } from './digest.js';
import { nix32Decode, nix32Encode, nix32Length } from './nix32.js';

export type HashAlgo = 'sha256' | 'sha512' | 'sha1' | 'md5';

export interface Hash {
  algo: HashAlgo;
  digest: Uint8Array;
}

export const HASH_SIZES: Readonly<Record<HashAlgo, number>> = { md5: 16, sha1: 20, sha256: 32, sha512: 64 };

export function isHashAlgo(s: string): s is HashAlgo {
  return Object.prototype.hasOwnProperty.call(HASH_SIZES, s);
}

function badHash(s: string, why: string): WpmError {
  return new WpmError('ERR_BAD_HASH', `invalid hash '${s}': ${why}`, {
    hint: "expected 'sha256:<nix32|base16|base64>' or an SRI hash 'sha256-<base64>'",
  });
}

// Buffer's base64 decoder skips junk silently; re-encoding proves the text was canonical base64.
function decodeBase64Strict(s: string, text: string): Uint8Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) throw badHash(s, 'malformed base64');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

function decodeBase16(s: string, text: string): Uint8Array {
  if (!/^[0-9a-fA-F]*$/.test(text)) throw badHash(s, 'malformed base16');
  return new Uint8Array(Buffer.from(text, 'hex'));
}

export function parseHash(s: string): Hash {
  const sri = /^([a-z0-9]+)-(.*)$/.exec(s);
  const nix = /^([a-z0-9]+):(.*)$/.exec(s);
  const m = nix ?? sri;
  if (!m) throw badHash(s, 'missing algorithm prefix');
  const [, algo, text] = m;
  if (!isHashAlgo(algo)) throw badHash(s, `unknown algorithm '${algo}'`);
  const size = HASH_SIZES[algo];
  let digest: Uint8Array;
  if (sri && !nix) {
    if (text.length !== 4 * Math.ceil(size / 3)) throw badHash(s, `wrong length for ${algo} base64`);
    digest = decodeBase64Strict(s, text);
  } else if (text.length === size * 2) {
    digest = decodeBase16(s, text);
  } else if (text.length === nix32Length(size)) {
    try {
      digest = nix32Decode(text);
    } catch (err) {
      throw new WpmError('ERR_BAD_HASH', `invalid hash '${s}': malformed nix32`, { cause: err });
    }
  } else if (text.length === 4 * Math.ceil(size / 3)) {
    digest = decodeBase64Strict(s, text);
  } else {
    throw badHash(s, `digest length ${text.length} fits no encoding of ${algo}`);
  }
  if (digest.length !== size) throw badHash(s, `digest is ${digest.length} bytes, ${algo} needs ${size}`);
  return { algo, digest };
}

export function formatHash(h: Hash, form: 'nix32' | 'base16' | 'sri' = 'nix32'): string {
  switch (form) {
    case 'nix32':
      return `${h.algo}:${nix32Encode(h.digest)}`;
    case 'base16':
      return `${h.algo}:${Buffer.from(h.digest).toString('hex')}`;
    case 'sri':
      return `${h.algo}-${Buffer.from(h.digest).toString('base64')}`;
  }
}

export function hashEquals(a: Hash, b: Hash): boolean {
  return a.algo === b.algo && Buffer.from(a.digest).equals(Buffer.from(b.digest));
}

export function hashBytes(algo: HashAlgo, data: Uint8Array | string): Hash {
  // One-shot hashing skips the Hash object: evaluation hashes a few small texts per derivation.
  return { algo, digest: new Uint8Array(digestOnce(algo, data)) };
}

/** Incremental hash that also counts bytes, so a NAR can be hashed and sized in one pass. */
export class HashSink {
  readonly algo: HashAlgo;
  #hash: Digester;
  #size = 0;

  constructor(algo: HashAlgo) {
    this.algo = algo;
    this.#hash = createDigester(algo);
  }

  get size(): number {
    return this.#size;
  }

  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
    this.#size += chunk.length;
  }

  digest(): Hash {
    return { algo: this.algo, digest: new Uint8Array(this.#hash.digest()) };
  }
}
