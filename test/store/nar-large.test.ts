// A file over 100 MB: streamed by dumpPath and hashPath without holding it, equal to Nix.

import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { formatHash } from '../../store/format/index.js';
import { dumpPath, hashPath } from '../../store/nar/index.js';
import { nixDumpDigest, nixHashPath } from './nix-oracle.js';

const SIZE = 100 * 1024 * 1024 + 12_345; // over 100 MB, and not a multiple of 8 or of the read chunk
const work = mkdtempSync(join(tmpdir(), 'wpm-nar-large-'));
const file = join(work, 'big.bin');

beforeAll(() => {
  // 1 MiB of random bytes repeated with a varying prefix: fast to write, no two chunks alike.
  const block = randomBytes(1024 * 1024);
  const fd = openSync(file, 'w', 0o755);
  for (let written = 0, i = 0; written < SIZE; i++) {
    block.writeUInt32LE(i, 0);
    written += writeSync(fd, block, 0, Math.min(block.length, SIZE - written));
  }
  closeSync(fd);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('hashes a file over 100 MB like nix-hash', async () => {
  const { narHash, narSize } = await hashPath(file);
  expect(formatHash(narHash)).toBe(`sha256:${nixHashPath(file)}`);
  const nix = await nixDumpDigest(file);
  expect(narSize).toBe(nix.size);
});

test('streams the NAR of a file over 100 MB byte-identical to nix-store --dump', async () => {
  const h = createHash('sha256');
  let size = 0;
  let biggest = 0;
  await dumpPath(file, (c) => {
    h.update(c);
    size += c.length;
    biggest = Math.max(biggest, c.length);
  });
  const nix = await nixDumpDigest(file);
  expect(size).toBe(nix.size);
  expect(h.digest('hex')).toBe(nix.sha256Hex);
  // Streaming, not buffering: no chunk is anywhere near the file's size.
  expect(biggest).toBeLessThanOrEqual(1024 * 1024);
});
