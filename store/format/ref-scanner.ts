// Finds which store-path hash parts occur in a byte stream, the way Nix's RefScanSink does: any
// 32-character run of nix32 characters that is a candidate counts, wherever it appears.

import { WpmError } from '../../util/errors.js';
import { isNix32Char } from './nix32.js';
import { HASH_PART_LENGTH } from './store-path.js';

const IS_NIX32 = new Uint8Array(256);
for (let c = 0; c < 256; c++) IS_NIX32[c] = isNix32Char(c) ? 1 : 0;

export class RefScanner {
  readonly #candidates: Set<string>;
  readonly #found = new Set<string>();
  // The last HASH_PART_LENGTH - 1 bytes seen, so a hash split across two chunks is still found.
  #tail: Buffer = Buffer.alloc(0);

  constructor(candidateHashParts: Iterable<string>) {
    this.#candidates = new Set(candidateHashParts);
    for (const c of this.#candidates) {
      if (c.length !== HASH_PART_LENGTH || ![...c].every((ch) => isNix32Char(ch.charCodeAt(0)))) {
        throw new WpmError('ERR_BAD_HASH_PART', `'${c}' is not a store-path hash part (32 nix32 characters)`);
      }
    }
  }

  get found(): Set<string> {
    return new Set(this.#found);
  }

  update(chunk: Uint8Array): void {
    if (this.#candidates.size === this.#found.size) return; // nothing left to look for
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const seam = HASH_PART_LENGTH - 1;
    if (this.#tail.length > 0) {
      // Only windows that straddle the seam; those wholly inside `buf` are scanned next.
      this.#scan(Buffer.concat([this.#tail, buf.subarray(0, seam)]));
    }
    this.#scan(buf);
    // Copies: the caller may reuse the chunk's memory once update() returns.
    this.#tail =
      buf.length >= seam
        ? Buffer.from(buf.subarray(buf.length - seam))
        : Buffer.concat([this.#tail, buf]).subarray(-seam);
  }

  #scan(s: Buffer): void {
    const n = HASH_PART_LENGTH;
    // Check each window from its last byte backwards: a non-nix32 byte at offset j lets us skip
    // j + 1 positions, so binary data and prose are crossed in large strides.
    let i = 0;
    outer: while (i + n <= s.length) {
      for (let j = n - 1; j >= 0; j--) {
        if (IS_NIX32[s[i + j]] === 0) {
          i += j + 1;
          continue outer;
        }
      }
      const part = s.toString('latin1', i, i + n);
      if (this.#candidates.has(part)) this.#found.add(part);
      i++;
    }
  }
}
