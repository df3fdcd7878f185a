// random_get: the ChaCha20 keystream (RFC 8439, block counter from 0, zero nonce) keyed with the
// step's seed, so "random" bytes are a pure function of the derivation. Written out here rather
// than taken from node:crypto so that the host runs unchanged in a browser worker; guests ask
// for a few bytes (hash seeds), so speed does not matter. test/web/prng.test.ts holds it to
// node:crypto's chacha20.

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

export class Prng {
  private readonly key = new Uint32Array(8);
  private counter = 0;
  private readonly block = new Uint8Array(64);
  private readonly out = new DataView(this.block.buffer);
  /** Unused keystream bytes left in `block`. */
  private left = 0;

  constructor(seed: Uint8Array) {
    if (seed.length !== 32) throw new RangeError('the random seed must be 32 bytes');
    const dv = new DataView(seed.buffer, seed.byteOffset, 32);
    for (let i = 0; i < 8; i++) this.key[i] = dv.getUint32(i * 4, true);
  }

  fill(dst: Uint8Array): void {
    let off = 0;
    while (off < dst.length) {
      if (this.left === 0) this.nextBlock();
      const n = Math.min(this.left, dst.length - off);
      dst.set(this.block.subarray(64 - this.left, 64 - this.left + n), off);
      this.left -= n;
      off += n;
    }
  }

  private nextBlock(): void {
    const s = new Uint32Array(16);
    s.set(SIGMA, 0);
    s.set(this.key, 4);
    s[12] = this.counter++;
    const x = s.slice();
    const qr = (a: number, b: number, c: number, d: number): void => {
      x[a] += x[b]; x[d] = rotl(x[d] ^ x[a], 16);
      x[c] += x[d]; x[b] = rotl(x[b] ^ x[c], 12);
      x[a] += x[b]; x[d] = rotl(x[d] ^ x[a], 8);
      x[c] += x[d]; x[b] = rotl(x[b] ^ x[c], 7);
    };
    for (let i = 0; i < 10; i++) {
      qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15);
      qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14);
    }
    for (let i = 0; i < 16; i++) this.out.setUint32(i * 4, (x[i] + s[i]) >>> 0, true);
    this.left = 64;
  }
}
