// Our NAR, NAR hash and source path must equal Nix's for every generated tree.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { formatHash, makeFixedOutputPath, makeSourcePath, parseNar, NarWriter } from '../../store/format/index.js';
import { dumpPath, hashPath, restoreNar } from '../../store/nar/index.js';
import { nixDump, nixFixedPath, nixHashPath } from './nix-oracle.js';
import { TREE_CASES } from './trees.js';

const work = mkdtempSync(join(tmpdir(), 'wpm-nar-oracle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function ourDump(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  // Copy each chunk: dumpPath hands out its own buffers, but this proves we do not rely on reuse.
  await dumpPath(path, (c) => {
    chunks.push(Buffer.from(c));
  });
  return Buffer.concat(chunks);
}

async function* chunked(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describe.each(TREE_CASES.map((c, i) => ({ ...c, dir: `case${i}` })))('$name', ({ build, dir }) => {
  const path = join(work, dir, 'tree');
  const setup = () => {
    rmSync(join(work, dir), { recursive: true, force: true });
    mkdirSync(join(work, dir), { recursive: true });
    build(path);
  };

  test('dumps the same bytes as nix-store --dump, and hashes and names it like Nix', async () => {
    setup();
    const nix = nixDump(path);
    const ours = await ourDump(path);
    expect(ours.length).toBe(nix.length);
    expect(ours.equals(nix)).toBe(true);

    const nixHash = nixHashPath(path);
    const { narHash, narSize } = await hashPath(path);
    expect(formatHash(narHash)).toBe(`sha256:${nixHash}`);
    expect(narSize).toBe(nix.length);

    const expected = nixFixedPath(true, 'sha256', nixHash, 'tree');
    expect(makeSourcePath(narHash, 'tree')).toBe(expected);
    expect(makeFixedOutputPath('recursive', narHash, 'tree')).toBe(expected);
  });

  test('restores to a tree with the same NAR, and parses and rewrites to identical bytes', async () => {
    const nar = nixDump(path);
    const restored = join(work, dir, 'restored');
    // Odd chunk sizes put every field across chunk boundaries somewhere.
    await restoreNar(chunked(nar, 7), restored);
    expect(nixDump(restored).equals(nar)).toBe(true);

    const out: Buffer[] = [];
    const w = new NarWriter((c) => {
      out.push(Buffer.from(c));
    });
    await parseNar(chunked(nar, 4096 + 3), {
      file: (x, size) => w.file(x, size),
      contents: (c) => w.contents(c),
      symlink: (t) => w.symlink(t),
      startDirectory: () => w.startDirectory(),
      entry: (n) => w.entry(n),
      endEntry: () => w.endEntry(),
      endDirectory: () => w.endDirectory(),
    });
    w.end();
    expect(Buffer.concat(out).equals(nar)).toBe(true);
  });
});
