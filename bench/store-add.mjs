#!/usr/bin/env node
// Adding many small paths to the store: wpm (in process, durable and not, and the `wpm store add`
// command) against `nix-store --store local?root=… --add`, which also fsyncs (SQLite, fsync-metadata).
// Needs `npx tsc -p tsconfig.json` first (imports ../dist) and nix-bin for the peer.
//
//   node bench/store-add.mjs [--files N] [--dirs N] [--runs N]
//
// Every contender adds the same N single files and N small directories (10 files each) into a
// fresh store; the best of --runs rounds counts. Ratios are wpm's time over Nix's.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LocalStore, removeTree } from '../dist/store/index.js';

const { values: opts } = parseArgs({
  options: {
    files: { type: 'string', default: '500' },
    dirs: { type: 'string', default: '100' },
    runs: { type: 'string', default: '3' },
  },
});
const WPM = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'wpm.js');
const work = mkdtempSync(join(tmpdir(), 'wpm-bench-add-'));
const sources = [];
for (let i = 0; i < Number(opts.files); i++) {
  const f = join(work, 'src', `file${i}`);
  mkdirSync(dirname(f), { recursive: true });
  writeFileSync(f, `small file ${i}\n`.repeat(1 + (i % 20)));
  sources.push(f);
}
for (let i = 0; i < Number(opts.dirs); i++) {
  const d = join(work, 'src', `dir${i}`);
  mkdirSync(join(d, 'sub'), { recursive: true });
  for (let j = 0; j < 10; j++) writeFileSync(join(d, j < 5 ? `f${j}` : `sub/f${j}`), `dir ${i} file ${j}\n`);
  sources.push(d);
}

let round = 0;
const fresh = () => join(work, `store-${round++}`);

const contenders = {
  'wpm in process (durable)': async () => {
    const store = LocalStore.open(fresh());
    for (const s of sources) await store.addPath(s);
  },
  'wpm in process (no fsync)': async () => {
    const store = LocalStore.open(fresh(), { durable: false });
    for (const s of sources) await store.addPath(s);
  },
  'wpm store add (one process)': async () => {
    const r = spawnSync(process.execPath, [WPM, 'store', 'add', ...sources], { env: { ...process.env, WPM_HOME: fresh() }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  },
  'nix-store --add (one process)': async () => {
    const r = spawnSync('nix-store', ['--store', `local?root=${fresh()}`, '--add', ...sources], { encoding: 'utf8' });
    if (r.error || r.status !== 0) throw new Error(r.error?.message ?? r.stderr);
  },
};

const best = {};
for (let r = 0; r < Number(opts.runs); r++) {
  // Interleaved, so load from other processes hits every contender alike.
  for (const [name, run] of Object.entries(contenders)) {
    const t = performance.now();
    try {
      await run();
    } catch (err) {
      best[name] = best[name] ?? `failed: ${String(err).split('\n')[0]}`;
      continue;
    }
    const ms = performance.now() - t;
    if (typeof best[name] !== 'number' || ms < best[name]) best[name] = ms;
  }
}

const nix = best['nix-store --add (one process)'];
console.log(`${sources.length} paths (${opts.files} files, ${opts.dirs} directories of 10 files), best of ${opts.runs}:`);
for (const [name, ms] of Object.entries(best)) {
  if (typeof ms !== 'number') {
    console.log(`  ${name.padEnd(32)} ${ms}`);
    continue;
  }
  const ratio = typeof nix === 'number' ? `  ${(ms / nix).toFixed(2)}× nix` : '';
  console.log(`  ${name.padEnd(32)} ${ms.toFixed(0).padStart(6)} ms  ${((sources.length / ms) * 1000).toFixed(0).padStart(6)} paths/s${ratio}`);
}
for (const e of [work]) {
  try {
    removeTree(e);
  } catch {
    rmSync(e, { recursive: true, force: true });
  }
}
