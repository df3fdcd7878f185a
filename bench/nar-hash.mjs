#!/usr/bin/env node
// NAR dump + SHA-256 of a large tree: wpm (in process) against `nix-store --dump DIR | sha256sum`
// and `nix-hash --type sha256 DIR`. Needs `npm run build` first (imports ../dist) and nix-bin.
//
//   node bench/nar-hash.mjs [--dir DIR] [--keep] [--runs N] [--scale F]
//
// The tree (≈1 GiB at scale 1, mixed sizes: a few huge files, many medium, many tiny ones) is
// generated once; with --dir it is kept and reused by later runs. Each contender runs once to warm
// the page cache, then --runs rounds; the best time counts, so we compare CPU work, not the disk.

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatHash } from '../dist/store/format/index.js';
import { dumpPath, hashPath } from '../dist/store/nar-index.js';

const { values: opts } = parseArgs({
  options: {
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    scale: { type: 'string', default: '1' },
  },
});
const runs = Number(opts.runs);
const scale = Number(opts.scale);
const MiB = 1024 * 1024;

function buildTree(root) {
  const block = randomBytes(8 * MiB);
  let files = 0;
  let bytes = 0;
  // Every file gets its own bytes (a counter stamped at the front) from one random block.
  const write = (path, size, mode = 0o644) => {
    const data = Buffer.allocUnsafe(size);
    for (let off = 0; off < size; off += block.length) block.copy(data, off, 0, Math.min(block.length, size - off));
    if (size >= 4) data.writeUInt32LE(files, 0);
    writeFileSync(path, data, { mode });
    files++;
    bytes += size;
  };
  const rand = (() => {
    let s = 42;
    return () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  })();
  const n = (k) => Math.max(1, Math.round(k * scale));
  mkdirSync(join(root, 'huge'), { recursive: true });
  for (let i = 0; i < n(4); i++) write(join(root, 'huge', `blob${i}.bin`), 128 * MiB + i * 13);
  for (let d = 0; d < n(10); d++) {
    const dir = join(root, 'medium', `d${d}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 30; i++) write(join(dir, `lib${i}.so`), MiB + ((rand() * MiB) | 0), i % 3 ? 0o644 : 0o755);
  }
  for (let d = 0; d < n(60); d++) {
    const dir = join(root, 'small', `pkg${d}`, 'src');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 50; i++) write(join(dir, `m${i}.c`), 16 * 1024 + ((rand() * 112 * 1024) | 0));
    for (let i = 0; i < 170; i++) write(join(dir, `h${i}.h`), (rand() * 4096) | 0);
    symlinkSync(`../src/m0.c`, join(root, 'small', `pkg${d}`, 'link'));
  }
  return { files, bytes };
}

/**
 * Runs every contender once to warm the page cache and the JIT, then `runs` rounds, each contender
 * once per round (interleaved, so load from other processes hits all alike); keeps the best time.
 */
async function race(contenders) {
  const out = contenders.map((c) => ({ label: c.label, seconds: Infinity, result: undefined }));
  for (const c of contenders) await c.run();
  for (let i = 0; i < runs; i++) {
    for (const [k, c] of contenders.entries()) {
      const t = process.hrtime.bigint();
      const result = await c.run();
      const s = Number(process.hrtime.bigint() - t) / 1e9;
      if (s < out[k].seconds) out[k].seconds = s;
      out[k].result = result;
    }
  }
  return out;
}

const root = opts.dir ?? join(mkdtempSync(join(tmpdir(), 'wpm-bench-')), 'tree');
if (!existsSync(join(root, '.complete'))) {
  rmSync(root, { recursive: true, force: true });
  const t = Date.now();
  const { files, bytes } = buildTree(root);
  writeFileSync(join(root, '.complete'), '');
  console.error(`built ${files} files, ${(bytes / MiB).toFixed(0)} MiB in ${((Date.now() - t) / 1000).toFixed(1)} s at ${root}`);
}

const env = { ...process.env, NIX_REMOTE: 'dummy://', NIX_STORE_DIR: '/wpm/store' };
const shell = (cmd) => () => {
  const r = spawnSync('sh', ['-c', cmd], { env, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return r.stdout.trim();
};

const results = await race([
  {
    label: 'wpm hashPath (in process)',
    run: async () => {
      const { narHash, narSize } = await hashPath(root);
      return { hex: Buffer.from(narHash.digest).toString('hex'), narSize, nix32: formatHash(narHash) };
    },
  },
  {
    label: 'wpm dumpPath, fresh buffers → sha256',
    run: async () => {
      const h = createHash('sha256');
      await dumpPath(root, (c) => {
        h.update(c);
      });
      return { hex: h.digest('hex') };
    },
  },
  { label: 'nix-store --dump | sha256sum', run: shell(`nix-store --dump '${root}' | sha256sum`) },
  { label: 'nix-hash --type sha256', run: shell(`nix-hash --type sha256 '${root}'`) },
  // For context: the dump alone, which shows that sha256sum is what limits Nix's pipeline.
  { label: '(nix-store --dump > /dev/null)', run: shell(`nix-store --dump '${root}' > /dev/null`) },
]);

const narSize = results[0].result.narSize;
const hex = results[0].result.hex;
const agree =
  results[1].result.hex === hex && results[2].result.split(' ')[0] === hex && results[3].result === hex;
const base = results.find((r) => r.label.startsWith('nix-store')).seconds;

console.log(`NAR size ${(narSize / MiB).toFixed(0)} MiB; hash ${results[0].result.nix32}; all agree: ${agree}`);
console.log(`node ${process.version}, ${execFileSync('nix-store', ['--version']).toString().trim()}, best of ${runs} interleaved warm runs`);
for (const r of results) {
  const mbs = narSize / MiB / r.seconds;
  console.log(
    `${r.label.padEnd(40)} ${r.seconds.toFixed(3).padStart(7)} s ${mbs.toFixed(0).padStart(6)} MiB/s   ${(base / r.seconds).toFixed(2)}× nix-store|sha256sum`,
  );
}
if (!agree) process.exitCode = 1;
if (!opts.dir && !opts.keep) rmSync(join(root, '..'), { recursive: true, force: true });
