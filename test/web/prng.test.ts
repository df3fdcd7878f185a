// The host's own ChaCha20 (runtime/wasi/prng.ts) gives exactly node:crypto's keystream, which
// the host used before it had to run in a browser: guests see the same "random" bytes as before.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Prng } from '../../runtime/wasi/prng.js';

function nodeKeystream(seed: Uint8Array, n: number): Uint8Array {
  return new Uint8Array(crypto.createCipheriv('chacha20', seed, new Uint8Array(16)).update(new Uint8Array(n)));
}

describe('random_get keystream', () => {
  it('equals node:crypto chacha20 for reads of every size across block boundaries', () => {
    for (let t = 0; t < 20; t++) {
      const seed = crypto.randomBytes(32);
      const sizes = Array.from({ length: 12 }, () => crypto.randomInt(0, 200));
      const total = sizes.reduce((a, b) => a + b, 0);
      const p = new Prng(seed);
      const got = new Uint8Array(total);
      let off = 0;
      for (const n of sizes) {
        const part = new Uint8Array(n);
        p.fill(part);
        got.set(part, off);
        off += n;
      }
      expect(Buffer.from(got).toString('hex')).toBe(Buffer.from(nodeKeystream(seed, total)).toString('hex'));
    }
  });

  it('refuses a seed that is not 32 bytes', () => {
    expect(() => new Prng(new Uint8Array(16))).toThrow(RangeError);
  });
});
