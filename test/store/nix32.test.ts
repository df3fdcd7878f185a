import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { isWpmError } from '../../util/errors.js';
import { nix32Decode, nix32Encode, nix32Length } from '../../store/format/index.js';
import { nixHashFile } from './nix-oracle.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { createHash } from 'node:crypto';

function expectCode(f: () => unknown, code: string): void {
  let caught: unknown;
  try {
    f();
  } catch (err) {
    caught = err;
  }
  expect(isWpmError(caught, code), `expected ${code}, got ${String(caught)}`).toBe(true);
}

describe('nix32', () => {
  test('encodes known digests like Nix', () => {
    // sha256 of the empty string, as `nix-hash --type sha256 --flat --base32 /dev/null` prints it.
    const empty = createHash('sha256').digest();
    expect(nix32Encode(empty)).toBe('0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73');
    expect(nix32Encode(new Uint8Array(0))).toBe('');
    expect(nix32Encode(Uint8Array.of(0xff))).toBe('7z');
  });

  test('agrees with nix-hash on random files for every algorithm', () => {
    const dir = tempDir('nix32');
    for (const algo of ['md5', 'sha1', 'sha256', 'sha512']) {
      const file = join(dir, algo);
      const data = randomBytes(1000);
      writeFileSync(file, data);
      expect(nix32Encode(createHash(algo).update(data).digest())).toBe(nixHashFile(file, algo));
    }
  });

  test('round-trips every length from 0 to 70 bytes', () => {
    for (let n = 0; n <= 70; n++) {
      const bytes = randomBytes(n);
      const s = nix32Encode(bytes);
      expect(s.length).toBe(nix32Length(n));
      expect(Buffer.from(nix32Decode(s)).equals(bytes)).toBe(true);
    }
  });

  test('rejects characters outside the alphabet', () => {
    const good = nix32Encode(randomBytes(20));
    for (const bad of ['e', 'o', 'u', 't', 'A', '-', '\u00e9']) {
      expectCode(() => nix32Decode(bad + good.slice(1)), 'ERR_BAD_NIX32');
    }
  });

  test('rejects lengths no byte count encodes to', () => {
    // 2 chars → 1 byte and 4 chars → 2 bytes, but 3 chars fits nothing.
    expectCode(() => nix32Decode('000'), 'ERR_BAD_NIX32');
    expectCode(() => nix32Decode('0'), 'ERR_BAD_NIX32');
  });

  test('rejects a top character with bits beyond the byte length', () => {
    // One byte has 8 bits: the leading character may use only its low 3 bits ('0'..'7').
    expect(nix32Decode('7z')).toEqual(Uint8Array.of(0xff));
    expectCode(() => nix32Decode('8z'), 'ERR_BAD_NIX32');
  });
});
