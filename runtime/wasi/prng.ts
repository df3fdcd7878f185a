// random_get: ChaCha20 keyed with the step's seed, so "random" bytes are a pure function
// of the derivation. node:crypto's chacha20 takes a 16-byte IV (32-bit counter + nonce).

import crypto from 'node:crypto';

export class Prng {
  private cipher: crypto.Cipher;
  private zeros = new Uint8Array(4096);

  constructor(seed: Uint8Array) {
    if (seed.length !== 32) throw new RangeError('the random seed must be 32 bytes');
    this.cipher = crypto.createCipheriv('chacha20', seed, new Uint8Array(16));
  }

  fill(dst: Uint8Array): void {
    let off = 0;
    while (off < dst.length) {
      const n = Math.min(this.zeros.length, dst.length - off);
      const ks = this.cipher.update(n === this.zeros.length ? this.zeros : this.zeros.subarray(0, n));
      dst.set(ks, off);
      off += n;
    }
  }
}
