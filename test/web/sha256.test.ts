// The browser bundle's SHA-256 (store/format/digest-web.ts) equals node:crypto's, for every
// length around the block and padding boundaries and for any split of the input into updates.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDigester, digestOnce } from '../../store/format/digest-web.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('SHA-256 without node:crypto', () => {
  it('equals node:crypto for lengths 0..300 in one update', () => {
    for (let n = 0; n <= 300; n++) {
      const data = crypto.randomBytes(n);
      expect(hex(digestOnce('sha256', data)), `length ${n}`).toBe(crypto.createHash('sha256').update(data).digest('hex'));
    }
  });

  it('equals node:crypto for a megabyte fed in random pieces', () => {
    const data = crypto.randomBytes(1 << 20);
    const d = createDigester('sha256');
    for (let off = 0; off < data.length; ) {
      const n = crypto.randomInt(0, 5000);
      d.update(data.subarray(off, off + n));
      off += n;
    }
    expect(hex(d.digest())).toBe(crypto.createHash('sha256').update(data).digest('hex'));
  });

  it('hashes strings as UTF-8', () => {
    expect(hex(digestOnce('sha256', 'nix-output:out ü'))).toBe(crypto.createHash('sha256').update('nix-output:out ü').digest('hex'));
  });

  it('refuses other algorithms with a clear error', () => {
    expect(() => createDigester('sha512')).toThrow(/sha512 is not available/);
  });
});
