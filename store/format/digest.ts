// The hash functions behind hash.ts and store-path.ts: node:crypto in Node. A browser bundle
// (scripts/bundle-web-worker.mjs) puts digest-web.ts in this file's place.
import { createHash, hash } from 'node:crypto';
import type { HashAlgo } from './hash.js';

/** An incremental hash (the part of node:crypto's Hash that wpm uses). */
export interface Digester {
  update(data: Uint8Array): unknown;
  digest(): Uint8Array;
}

export function createDigester(algo: HashAlgo): Digester {
  return createHash(algo);
}

export function digestOnce(algo: HashAlgo, data: Uint8Array | string): Uint8Array {
  return hash(algo, data, 'buffer');
}
