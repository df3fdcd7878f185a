// A NAR's hash computed on libuv's pool (native/sha256-pool, built into dist/native by
// `npm run build`) while the main thread writes the same chunk: it must be exactly node:crypto's
// SHA-256 however the bytes are split, and refuse to be misused in ways that would scramble it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { narHasher, type NarHasher } from '../../store/index.js';
import { REPO } from '../helpers/cli.js';

async function hashInPieces(h: NarHasher, data: Buffer, sizes: number[]): Promise<string> {
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const n = sizes[i % sizes.length]!;
    await h.update(data.subarray(at, at + n));
    at += n;
  }
  return Buffer.from(h.digest().digest).toString('hex');
}

describe('the NAR hasher', () => {
  it('is built on Linux by npm run build, and hashes large chunks on the pool', () => {
    expect(fs.existsSync(path.join(REPO, 'dist/native/sha256-pool.node'))).toBe(true);
    // A chunk of 64 KiB or more goes to the pool (a promise); a small one is hashed at once.
    const h = narHasher();
    const pending = h.update(Buffer.alloc(64 << 10, 1));
    expect(pending).toBeInstanceOf(Promise);
    return pending;
  });

  it('gives node:crypto\'s SHA-256 however the bytes are split, on the pool or not', async () => {
    const data = crypto.randomBytes((3 << 20) + 12_345);
    const expected = crypto.createHash('sha256').update(data).digest('hex');
    for (const sizes of [[1 << 20], [65_536], [65_535, 1], [1, 100_000, 7, 1 << 20, 3000], [data.length]]) {
      expect(await hashInPieces(narHasher(), data, sizes), `pool, pieces ${sizes}`).toBe(expected);
      expect(await hashInPieces(narHasher({ pool: false }), data, sizes), `main thread, pieces ${sizes}`).toBe(expected);
    }
    const empty = narHasher();
    expect(Buffer.from(empty.digest().digest).toString('hex')).toBe(crypto.createHash('sha256').digest('hex'));
    expect(empty.size).toBe(0);
  });

  it('counts the bytes given', async () => {
    const h = narHasher();
    await h.update(Buffer.alloc(100_000));
    await h.update(Buffer.alloc(10));
    expect(h.size).toBe(100_010);
  });

  it('refuses a second update while one runs, and an update or digest after the digest', async () => {
    const h = narHasher();
    const first = h.update(Buffer.alloc(1 << 20));
    expect(() => h.update(Buffer.alloc(1 << 20))).toThrow('update while another runs');
    expect(() => h.digest()).toThrow('digest while an update runs');
    await first;
    h.digest();
    expect(() => h.update(Buffer.alloc(10))).toThrow('update after digest');
    expect(() => h.digest()).toThrow('digest twice');
  });
});
