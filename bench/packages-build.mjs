// Benchmark: a cold build of the whole upstream package set (every package of
// packages/default.jsonnet with a `meta`, without their checks) through the real CLI.
//
//   1. the scheduler: wall time of one `wpm build --json -j N` against the steps' own times
//      ('built' events carry durationMs): their sum, and the critical path (the longest chain of
//      dependent steps, the best any scheduler could do with enough cores);
//   2. wasm against native: every compile step of the set (the derivations' own clang commands,
//      same flags, same wasi sysroot from wpm's store, host paths for store paths) run by native
//      clang-14 --target=wasm32-wasi, N at a time, as the reference.
//
// The toolchains are built first into the same fresh home and not counted; the sources are
// fetched as part of the build (fixed-output steps, listed apart). Run `npm run build` first;
// `apt-get install clang-14`.
//   node bench/packages-build.mjs [-j N] [--only zlib,bzip2]   (--only: those packages alone)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const wpmBin = path.join(root, 'bin/wpm.js');
const set = path.join(root, 'packages/default.jsonnet');
const toolchains = path.join(root, 'packages/toolchains/default.jsonnet');
const jIndex = process.argv.indexOf('-j');
const jobs = Number(jIndex > 0 ? process.argv[jIndex + 1] : os.availableParallelism());
const oIndex = process.argv.indexOf('--only');
const only = oIndex > 0 ? process.argv[oIndex + 1].split(',') : null;

function wpm(home, args) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [wpmBin, ...args], { env: { ...process.env, WPM_HOME: home }, encoding: 'utf8', maxBuffer: 1 << 29 });
  if (r.status !== 0) throw new Error(`wpm ${args.join(' ')} failed:\n${r.stderr.slice(-3000)}`);
  return { ...r, ms: performance.now() - t };
}
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-packages-'));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-native-'));
try {
  console.log(`toolchains (fetch + unpack, not counted): ${s(wpm(home, ['build', '--no-link', toolchains]).ms)}`);
  const values = JSON.parse(wpm(home, ['eval', '--json', set]).stdout);
  const names = Object.keys(values).filter((n) => values[n].meta && (!only || only.includes(n)));
  const attrs = names.flatMap((n) => ['-A', n]);

  // 1. The cold build.
  const build = wpm(home, ['build', '--no-link', '--json', '-j', String(jobs), set, ...attrs]);
  const events = build.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const built = new Map(events.filter((e) => e.type === 'built').map((e) => [e.drvPath, e]));
  const drvs = JSON.parse(wpm(home, ['show-derivation', '-r', set, ...attrs]).stdout);
  const longest = new Map();
  const chain = (p) => {
    if (!longest.has(p)) longest.set(p, (built.get(p)?.durationMs ?? 0) + Math.max(0, ...Object.keys(drvs[p]?.inputDrvs ?? {}).map(chain)));
    return longest.get(p);
  };
  const tops = JSON.parse(build.stdout).map((t) => t.drvPath);
  const sum = [...built.values()].reduce((a, e) => a + e.durationMs, 0);
  const fetches = [...built.values()].filter((e) => drvs[e.drvPath]?.builder === 'builtin:fetch');
  const critical = Math.max(...tops.map(chain));
  console.log(`\ncold build of ${names.length} packages (${names.join(', ')}), -j ${jobs}: ${built.size} steps`);
  console.log(`wall time (wpm process, evaluation included): ${s(build.ms)}`);
  console.log(`sum of step times:                          ${s(sum)}  wall/sum ${ratio(build.ms, sum)}  (downloads: ${fetches.length} steps, ${s(fetches.reduce((a, e) => a + e.durationMs, 0))})`);
  console.log(`critical path of step times:                ${s(critical)}  wall/critical path ${ratio(build.ms, critical)}`);
  console.log(`ideal on ${jobs} cores, max(critical, sum/${jobs}): ${s(Math.max(critical, sum / jobs))}  wall/ideal ${ratio(build.ms, Math.max(critical, sum / jobs))}`);

  // 2. The compile steps again, natively.
  const storeHost = path.join(home, 'store');
  const compiles = Object.entries(drvs).filter(([, d]) => d.args[0] === 'clang' || d.args[0] === 'clang++');
  const wpmCompile = compiles.reduce((a, [p]) => a + (built.get(p)?.durationMs ?? 0), 0);
  const sysroot = compiles[0][1].args.find((a) => a.startsWith('--sysroot=')).slice('--sysroot='.length).replaceAll('/wpm/store', storeHost);
  // clang 14 knows wasm32-wasi, not wasm32-wasip1, and looks for libc headers in
  // include/wasm32-wasi; its own resource dir keeps its builtin headers matched to it.
  const nativeArgs = (d, i) =>
    d.args.slice(1).flatMap((a, k, all) => {
      if (all[k - 1] === '-o') return [path.join(scratch, `${i}.o`)];
      if (a === '--target=wasm32-wasip1') return ['--target=wasm32-wasi', '-isystem', `${sysroot}/include/wasm32-wasip1`];
      if (a.startsWith('-resource-dir=')) return [];
      return [a.replaceAll('/wpm/store', storeHost)];
    });
  const runOne = (cmd, args) =>
    new Promise((resolve) => {
      const t = performance.now();
      const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      p.on('close', (code) => resolve({ ok: code === 0, ms: performance.now() - t, err }));
    });
  const t0 = performance.now();
  const results = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      while (next < compiles.length) {
        const i = next++;
        const [p, d] = compiles[i];
        results[i] = { p, ...(await runOne(d.args[0] === 'clang++' ? 'clang++-14' : 'clang-14', nativeArgs(d, i))) };
      }
    }),
  );
  const nativeWall = performance.now() - t0;
  const ok = results.filter((r) => r.ok);
  const nativeSum = ok.reduce((a, r) => a + r.ms, 0);
  const wpmSameSum = ok.reduce((a, r) => a + (built.get(r.p)?.durationMs ?? 0), 0);
  console.log(`\n${compiles.length} compile steps; native clang-14 compiled ${ok.length} of them (${compiles.length - ok.length} failed${ok.length < compiles.length ? `, e.g. ${results.find((r) => !r.ok).err.split('\n')[0]}` : ''})`);
  console.log(`compile steps, sum: wpm ${s(wpmSameSum)}  native clang-14 ${s(nativeSum)}  wpm/native ${ratio(wpmSameSum, nativeSum)}  (all wpm compile steps: ${s(wpmCompile)})`);
  console.log(`native clang-14, all compiles ${jobs} at a time: wall ${s(nativeWall)}; wpm's whole cold build wall / native compile wall ${ratio(build.ms, nativeWall)}`);
} finally {
  // The store is read-only by design; make it writable again to delete it.
  spawnSync('chmod', ['-R', 'u+w', home]);
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(scratch, { recursive: true, force: true });
}
