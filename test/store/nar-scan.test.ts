// Reference scanning finds hash parts wherever Nix's scanner would: in contents (also across
// chunk boundaries), symlink targets and entry names, and nothing else.

import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { isWpmError } from '../../util/errors.js';
import { RefScanner, STORE_DIR, nix32Encode } from '../../store/format/index.js';
import { hashAndScanPath, hashPath, scanReferences } from '../../store/nar/index.js';
import { nixDump } from './nix-oracle.js';

const work = mkdtempSync(join(tmpdir(), 'wpm-nar-scan-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hashPart = () => nix32Encode(randomBytes(20));

describe('scanReferences', () => {
  test('finds hash parts in contents, symlink targets and names, and only those present', async () => {
    const [inText, inBinary, inLink, inName, absent, atEdge] = Array.from({ length: 6 }, hashPart);
    const dir = join(work, 'tree');
    mkdirSync(join(dir, 'lib'), { recursive: true });
    writeFileSync(join(dir, 'script'), `#!${STORE_DIR}/${inText}-bash/bin/sh\n`);
    writeFileSync(join(dir, 'lib', 'blob'), Buffer.concat([randomBytes(5000), Buffer.from(inBinary), randomBytes(5000)]));
    symlinkSync(`${STORE_DIR}/${inLink}-x/lib`, join(dir, 'link'));
    writeFileSync(join(dir, `${inName}-name`), '');
    // Straddles the dumper's 1 MiB read chunk boundary.
    writeFileSync(
      join(dir, 'straddle'),
      Buffer.concat([Buffer.alloc(1024 * 1024 - 10, 0x20), Buffer.from(atEdge), Buffer.alloc(100, 0x20)]),
    );
    writeFileSync(join(dir, 'near-miss'), absent.slice(0, 31) + '-' + absent.slice(1));

    const candidates = [inText, inBinary, inLink, inName, absent, atEdge];
    const found = await scanReferences(dir, candidates);
    expect([...found].sort()).toEqual([inText, inBinary, inLink, inName, atEdge].sort());

    // The one-walk variant agrees with both separate walks.
    const both = await hashAndScanPath(dir, candidates);
    expect([...both.references].sort()).toEqual([...found].sort());
    const { narHash, narSize } = await hashPath(dir);
    expect(Buffer.from(both.narHash.digest).equals(Buffer.from(narHash.digest))).toBe(true);
    expect(both.narSize).toBe(narSize);
  });

  test('refuses candidates that are not hash parts', async () => {
    try {
      await scanReferences(work, ['not-a-hash']);
      expect.unreachable();
    } catch (err) {
      expect(isWpmError(err, 'ERR_BAD_HASH_PART')).toBe(true);
    }
  });
});

describe('RefScanner', () => {
  test('finds a hash split at every possible position across two chunks', () => {
    const h = hashPart();
    const data = Buffer.from(`xx${h}yy`);
    for (let cut = 0; cut <= data.length; cut++) {
      const s = new RefScanner([h]);
      s.update(data.subarray(0, cut));
      s.update(data.subarray(cut));
      expect(s.found.has(h), `cut at ${cut}`).toBe(true);
    }
  });

  test('finds a hash fed one byte at a time, and inside runs of nix32 characters', () => {
    const [h, other] = [hashPart(), hashPart()];
    const data = Buffer.from(`0123${h}abcd${other}`);
    const s = new RefScanner([h, other]);
    for (const b of data) s.update(Uint8Array.of(b));
    expect([...s.found].sort()).toEqual([h, other].sort());
  });

  test('agrees with a plain substring search over a real NAR', async () => {
    const candidates = Array.from({ length: 50 }, hashPart);
    const dir = join(work, 'random');
    mkdirSync(dir);
    for (let i = 0; i < 20; i++) {
      const mention = candidates.filter((_, j) => (i * 7 + j) % 9 === 0).join(' ');
      writeFileSync(join(dir, `f${i}`), Buffer.concat([randomBytes(3000), Buffer.from(mention), randomBytes(100)]));
    }
    const nar = nixDump(dir).toString('latin1');
    const expected = candidates.filter((c) => nar.includes(c)).sort();
    expect([...(await scanReferences(dir, candidates))].sort()).toEqual(expected);
  });
});
