// Generates the trees the NAR oracle tests compare against Nix: every node kind, awkward names,
// sizes around the padding and buffer boundaries, and seeded random trees.

import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Small deterministic PRNG (mulberry32) so a failing random tree can be regenerated. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bytes(rand: () => number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (rand() * 256) | 0;
  return b;
}

export interface TreeCase {
  name: string;
  /** Builds the tree at `path` (which does not exist yet). */
  build(path: string): void;
}

const file = (contents: string | Buffer, mode = 0o644) => (p: string) => {
  writeFileSync(p, contents);
  chmodSync(p, mode);
};

const NAME_POOL = [
  'a', 'A', 'b', 'a.b', 'a-b', 'a_b', '_', '-', '~', 'Z', 'z', 'aa', 'ab', 'a b', '.hidden', '..dots',
  'é', 'e\u0301', 'ß', '日本', '\u{1F600}', '\uFFFD', '\uFF5E', 'ü.txt', '#', '%20', 'x'.repeat(200),
];

/** A random tree of `budget` nodes; names from a pool that mixes ASCII, non-ASCII and astral chars. */
function randomTree(seed: number, budget: number) {
  return (root: string) => {
    const rand = prng(seed);
    mkdirSync(root);
    const dirs = [root];
    const used = new Set<string>();
    for (let i = 0; i < budget; i++) {
      const parent = dirs[(rand() * dirs.length) | 0];
      const name = NAME_POOL[(rand() * NAME_POOL.length) | 0] + (rand() < 0.5 ? '' : String(i));
      const p = join(parent, name);
      const r = rand();
      if (used.has(p)) continue;
      used.add(p);
      if (r < 0.55) {
        const size = rand() < 0.9 ? (rand() * 300) | 0 : (rand() * 200_000) | 0;
        file(bytes(rand, size), rand() < 0.3 ? 0o755 : 0o644)(p);
      } else if (r < 0.8) {
        mkdirSync(p);
        dirs.push(p);
      } else {
        symlinkSync(rand() < 0.5 ? `../${name}/x` : `/wpm/store/${name}`, p);
      }
    }
  };
}

export const TREE_CASES: TreeCase[] = [
  { name: 'an empty file', build: file('') },
  { name: 'a one-byte file', build: file('x') },
  { name: 'an empty executable', build: file('', 0o755) },
  { name: 'an executable script', build: file('#!/bin/sh\necho hi\n', 0o755) },
  { name: 'a file executable by group only (not executable for Nix)', build: file('g', 0o654) },
  { name: 'a file executable by owner only', build: file('o', 0o744) },
  ...[7, 8, 9, 15, 16, 17, 16383, 16384, 16385, 65535, 65536, 65537, 1048575, 1048576, 1048577, 2097160].map(
    (n): TreeCase => ({ name: `a ${n}-byte file`, build: file(bytes(prng(n), n)) }),
  ),
  { name: 'a relative symlink', build: (p) => symlinkSync('../somewhere/else', p) },
  { name: 'an absolute symlink', build: (p) => symlinkSync('/wpm/store/00000000000000000000000000000000-x', p) },
  { name: 'a symlink with a 4095-byte target', build: (p) => symlinkSync('t/'.repeat(2047) + 'x', p) },
  { name: 'an empty directory', build: (p) => mkdirSync(p) },
  {
    name: 'nested empty directories',
    build: (p) => {
      mkdirSync(join(p, 'a', 'b', 'c'), { recursive: true });
      mkdirSync(join(p, 'a', 'd'));
    },
  },
  {
    name: 'a directory 150 levels deep',
    build: (p) => {
      const deep = join(p, ...Array.from({ length: 150 }, (_, i) => `d${i % 10}`));
      mkdirSync(deep, { recursive: true });
      writeFileSync(join(deep, 'leaf'), 'bottom');
    },
  },
  {
    name: 'names whose byte order differs from their UTF-16 order',
    build: (p) => {
      mkdirSync(p);
      // U+1F600 is F0 9F 98 80 in UTF-8 but D83D DE00 in UTF-16; U+FFFD is EF BF BD / FFFD.
      for (const n of ['\u{1F600}', '\uFFFD', '\uE000', '\u{10000}', 'z', 'Z', 'é', '~']) writeFileSync(join(p, n), n);
    },
  },
  {
    name: 'names that are not valid UTF-8',
    build: (p) => {
      mkdirSync(p);
      const dir = Buffer.from(p);
      for (const raw of [[0xff], [0xfe, 0x41], [0xc3], [0x80, 0x80], [0x61, 0xed, 0xa0, 0x80]]) {
        writeFileSync(Buffer.concat([dir, Buffer.from('/'), Buffer.from(raw)]), Buffer.from(raw));
      }
    },
  },
  {
    name: 'dangling, looping and directory symlinks inside a tree',
    build: (p) => {
      mkdirSync(join(p, 'dir'), { recursive: true });
      writeFileSync(join(p, 'dir', 'f'), 'f');
      symlinkSync('dir', join(p, 'to-dir'));
      symlinkSync('missing', join(p, 'dangling'));
      symlinkSync('loop', join(p, 'loop'));
      symlinkSync(p, join(p, 'absolute-to-root'));
    },
  },
  {
    name: 'a directory of 500 small files',
    build: (p) => {
      mkdirSync(p);
      const rand = prng(500);
      for (let i = 0; i < 500; i++) writeFileSync(join(p, `f${i}`), bytes(rand, (rand() * 100) | 0));
    },
  },
  ...[1, 2, 3, 4, 5, 6].map((seed): TreeCase => ({ name: `random tree #${seed}`, build: randomTree(seed, 150) })),
];
