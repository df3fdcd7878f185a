#!/usr/bin/env node
// Adding many small paths to the store: `wpm store add` (durable: every file on disk before its
// path is registered; all arguments one batch, flushed once) against `nix-store --store
// local?root=… --add` with the same arguments (Nix as configured by default: it fsyncs its SQLite
// database, not the store paths), and wpm in process for context: the same batch, one add at a
// time, and without fsync. Wall time, and the CPU time of the command's process tree.
// Needs `npm run build` first (imports ../dist) and nix-bin for the peer.
//
//   node bench/store-add.mjs [--files N] [--dirs N] [--runs N]
//
// Every contender adds the same N single files and N small directories (10 files each) into a
// fresh store; the best of --runs rounds counts. Ratios are wpm's time over Nix's.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalStore, removeTree } from '../dist/store/index.js';
import { nixEnv, timed, WPM } from './lib/closure.mjs';

const { values: opts } = parseArgs({
  options: {
    files: { type: 'string', default: '500' },
    dirs: { type: 'string', default: '100' },
    runs: { type: 'string', default: '3' },
  },
});
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

const cpu = {};
const contenders = {
  'wpm store add (one process)': async () => {
    const r = timed(WPM, ['store', 'add', ...sources], { env: { ...process.env, WPM_HOME: fresh() } });
    return r;
  },
  'nix-store --add (one process)': async () => {
    const dir = fresh();
    return timed('nix-store', ['--store', `local?root=${dir}`, '--add', ...sources], { env: nixEnv(join(dir, 'nix-home')) });
  },
  'wpm in process, one batch (durable)': async () => {
    const store = LocalStore.open(fresh());
    await store.addPaths(sources.map((hostPath) => ({ hostPath })));
  },
  'wpm in process, one at a time (durable)': async () => {
    const store = LocalStore.open(fresh());
    for (const s of sources) await store.addPath(s);
  },
  'wpm in process, one batch (no fsync)': async () => {
    const store = LocalStore.open(fresh(), { durable: false });
    await store.addPaths(sources.map((hostPath) => ({ hostPath })));
  },
};

const best = {};
for (let r = 0; r < Number(opts.runs); r++) {
  // Interleaved, so load from other processes hits every contender alike.
  for (const [name, run] of Object.entries(contenders)) {
    const t = performance.now();
    let r;
    try {
      r = await run();
    } catch (err) {
      best[name] = best[name] ?? `failed: ${String(err).split('\n')[0]}`;
      continue;
    }
    // A command's own wall time (from GNU time) leaves out spawning it.
    const ms = r ? r.wall * 1000 : performance.now() - t;
    if (typeof best[name] !== 'number' || ms < best[name]) best[name] = ms;
    if (r) cpu[name] = Math.min(cpu[name] ?? Infinity, r.cpu);
  }
}

const nix = best['nix-store --add (one process)'];
const wpmCli = best['wpm store add (one process)'];
console.log(`${sources.length} paths (${opts.files} files, ${opts.dirs} directories of 10 files), best of ${opts.runs}:`);
for (const [name, ms] of Object.entries(best)) {
  if (typeof ms !== 'number') {
    console.log(`  ${name.padEnd(32)} ${ms}`);
    continue;
  }
  const ratio = typeof nix === 'number' ? `  ${(nix / ms).toFixed(2)}× nix's speed` : '';
  const c = cpu[name] !== undefined ? `  CPU ${cpu[name].toFixed(2)} s` : '';
  console.log(`  ${name.padEnd(42)} ${ms.toFixed(0).padStart(6)} ms  ${((sources.length / ms) * 1000).toFixed(0).padStart(6)} paths/s${ratio}${c}`);
}
if (typeof nix === 'number' && typeof wpmCli === 'number') console.log(`  wpm store add / nix-store --add speed: ${(nix / wpmCli).toFixed(2)}×`);
console.log(`  ${readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0]} (CPU pressure)`);
for (const e of [work]) {
  try {
    removeTree(e);
  } catch {
    rmSync(e, { recursive: true, force: true });
  }
}
