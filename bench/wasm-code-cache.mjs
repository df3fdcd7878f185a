#!/usr/bin/env node
// Benchmark of the compiled-code cache (runtime/wasi/code-cache/): clang.wasm `-O2 -c` of sqlite's
// shell.c and sqlite3.c, each measured in a fresh process, interleaved in one run against:
//   native        Debian's clang-14 on the same command (the physical reference)
//   wpm-liftoff   wpm without the cache: Liftoff only, as before the cache existed
//   wpm-cold      wpm with the cache on and an empty cache directory
//   wpm-warm      wpm with a cache warmed by earlier processes compiling the same file
//   wasmtime      wasmtime (Cranelift) running the same clang.wasm, its own code cache warm,
//                 when a wasmtime binary is given (--wasmtime PATH, or on PATH)
//   native-same   a native clang of clang.wasm's own release on the wasm command, when given
//                 (--native-clang 'CMD', e.g. 'zig clang' from `pip install ziglang==0.17.1`,
//                 which is clang 22.1): the engine's share of the gap, apart from clang's changes
// The ratios that matter are of process CPU time (the machine is shared: wall time is noisy).
// With --run N: `wpm run` of the hello package end to end against a bare `node -e 0`, N each.
// With --package-set: cold builds of packages/default.jsonnet without the cache, with an empty
// cache, and with a warm one (each in a fresh store).
//
//   npm run build && node bench/wasm-code-cache.mjs [--files shell.c,sqlite3.c] [--rounds 1]
//     [--wasmtime PATH] [--native-clang CMD] [--run 20] [--package-set] [--fresh-cache]

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CLANG_WASM, FLAGS, ROOT, S, SQLITE_FLAGS, SYSROOT, ensureSqlite, ensureSysroot, guestThreadCpu, measureNative, measureSameRelease, sqliteBuildDir, threadTimes,
} from './lib/clang-inputs.mjs';
import { NODE_FLAGS, commandEnv } from './lib/wpm-command.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i === -1 ? dflt : argv[i + 1];
};
const WARM_DIR = path.join(ROOT, 'node_modules/.cache/wpm-bench/wasm-code');

// ---- child: one compile in this fresh process, as `wpm build` runs a step ----

async function child(mode, dir, build, args) {
  const t0 = performance.now();
  const wasi = await import(path.join(ROOT, 'dist/runtime/wasi/index.js'));
  if (mode !== 'liftoff') {
    wasi.configureCodeCache({ dir, warm: mode === 'prepare', log: (l) => process.stderr.write(`${l}\n`) });
  }
  wasi.useBaselineCompilerOnly();
  const tLoad = performance.now();
  const module = await wasi.loadModule(fs.readFileSync(CLANG_WASM));
  const loadMs = performance.now() - tLoad;
  const pool = new wasi.WasiPool({ size: 1 });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-tmp-'));
  const mounts = [
    { guest: S, host: SYSROOT, writable: false },
    { guest: '/build', host: build, writable: true },
    { guest: '/tmp', host: tmp, writable: true },
  ];
  const before = threadTimes();
  const tRun = performance.now();
  const r = await pool.run(module, { args, env: {}, mounts, seed: new Uint8Array(32), stderr: 'inherit' });
  const runMs = performance.now() - tRun;
  const threadCpuMs = guestThreadCpu(before, threadTimes());
  await pool.close();
  if (r.exitCode !== 0) throw new Error(`clang exited ${r.exitCode}`);
  if (mode === 'prepare') wasi.recordCodeCacheUsage();
  const ru = process.resourceUsage();
  fs.rmSync(tmp, { recursive: true, force: true });
  return { loadMs, runMs, threadCpuMs, cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000, inProcessMs: performance.now() - t0 };
}

if (argv[0] === '--child') {
  const [, mode, dir, build, json] = argv;
  const out = await child(mode, dir, build, JSON.parse(json));
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
  process.exit(0);
}

// ---- parent ----

const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const min = (xs) => Math.min(...xs);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => {
  try {
    return fs.readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0];
  } catch {
    return `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`;
  }
};

/** Until no warm-up holds a lock in the directory. */
function warmUpsDone(dir) {
  for (let quiet = 0; quiet < 2; ) {
    spawnSync('sleep', ['1']);
    const busy = fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.endsWith('.lock'));
    quiet = busy ? 0 : quiet + 1;
  }
}

function runWpm(mode, dir, build, args) {
  const t0 = performance.now();
  // With the Node flags of bin/wpm.js's #! line (in execArgv, as there: the cache key has them).
  const r = spawnSync(process.execPath, [...NODE_FLAGS, fileURLToPath(import.meta.url), '--child', mode, dir, build, JSON.stringify(args)], {
    env: commandEnv(process.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 26,
  });
  const wallMs = performance.now() - t0;
  const line = r.stdout.toString().split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status !== 0 || !line) throw new Error(`wpm ${mode} failed:\n${r.stderr.toString().slice(-3000)}`);
  return { ...JSON.parse(line.slice(7)), wallMs, log: r.stderr.toString() };
}

function findWasmtime() {
  const given = opt('--wasmtime', process.env.WASMTIME);
  if (given) return given;
  const r = spawnSync('sh', ['-c', 'command -v wasmtime'], { encoding: 'utf8' });
  return r.stdout.trim() || null;
}

function runWasmtime(bin, build, args, cache) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-wt-'));
  // Absolute guest paths: wasmtime has no working directory to resolve relative ones against.
  const guestArgs = args.slice(1).map((a, i, all) => (a.endsWith('.c') || all[i - 1] === '-o' ? `/build/${a}` : a));
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', bin, 'run', '-C', `cache=${cache ? 'y' : 'n'}`, '-W', 'max-wasm-stack=33554432', '-W', 'async-stack-size=67108864',
    '--dir', `${build}::/build`, '--dir', `${tmp}::/tmp`, '--dir', `${SYSROOT}::${S}`, '--argv0', 'clang', CLANG_WASM, ...guestArgs], { stdio: ['ignore', 'inherit', 'pipe'] });
  const wallMs = performance.now() - t0;
  fs.rmSync(tmp, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`wasmtime failed: ${r.stderr.toString().slice(-2000)}`);
  const m = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr.toString());
  const cpuMs = m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN;
  return { wallMs, cpuMs, threadCpuMs: NaN };
}

/** Warm the cache for one compile: processes compile it and warm-ups grow the entry until a process finds nothing to add. */
function prepare(file, args) {
  for (let round = 1; round <= 5; round++) {
    const build = sqliteBuildDir('wpm-bench-prep-');
    const r = runWpm('prepare', WARM_DIR, build, args);
    fs.rmSync(build, { recursive: true, force: true });
    warmUpsDone(WARM_DIR);
    const asked = /starts once this process ends/.test(r.log);
    console.error(`  preparing ${file}, round ${round}: ${asked ? 'a warm-up grew the entry' : 'nothing new'} (process CPU ${s(r.cpuMs)})`);
    if (!asked && round > 1) return round;
  }
  return 5;
}

function compileBench(file, rounds, wasmtime) {
  const args = ['clang', ...FLAGS, ...SQLITE_FLAGS, '-c', file, '-o', file.replace(/\.c$/, '.o')];
  const rounds0 = prepare(file, args);
  const sameRelease = opt('--native-clang', undefined)?.split(' '); // a command and its first arguments
  const variants = ['native', ...(sameRelease ? ['native-same'] : []), 'wpm-liftoff', 'wpm-cold', 'wpm-warm', ...(wasmtime ? ['wasmtime'] : [])];
  if (wasmtime) {
    const b = sqliteBuildDir('wpm-bench-wt-');
    runWasmtime(wasmtime, b, args, true); // fills wasmtime's own cache
    fs.rmSync(b, { recursive: true, force: true });
  }
  const results = Object.fromEntries(variants.map((v) => [v, []]));
  const objects = {};
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) {
      const build = sqliteBuildDir(`wpm-bench-${v}-`);
      let m;
      if (v === 'native') m = measureNative(build, args);
      else if (v === 'native-same') m = measureSameRelease(sameRelease, build, args);
      else if (v === 'wasmtime') m = runWasmtime(wasmtime, build, args, true);
      else {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-empty-cache-'));
        m = runWpm(v.slice(4), v === 'wpm-warm' ? WARM_DIR : empty, build, args);
        fs.rmSync(empty, { recursive: true, force: true });
        if (v === 'wpm-warm' && !/MiB of code loaded/.test(m.log)) throw new Error(`wpm-warm loaded no code:\n${m.log}`);
      }
      results[v].push(m);
      objects[v] = fs.readFileSync(path.join(build, file.replace(/\.c$/, '.o')));
      console.error(`  round ${r + 1} ${v.padEnd(12)} process wall ${s(m.wallMs)}, process CPU ${s(m.cpuMs)}${m.loadMs !== undefined ? `, module load ${s(m.loadMs)}, guest thread CPU ${s(m.threadCpuMs)}` : ''}`);
      fs.rmSync(build, { recursive: true, force: true });
    }
  }
  const best = (v, k) => min(results[v].map((m) => m[k]));
  console.log(`\nclang -O2 -c ${file}, each in a fresh process, best of ${rounds} (the warm cache took ${rounds0} preparing processes)`);
  console.log(`  ${'variant'.padEnd(12)} ${'wall'.padStart(9)} ${'CPU'.padStart(9)}  CPU / native`);
  for (const v of variants) console.log(`  ${v.padEnd(12)} ${s(best(v, 'wallMs')).padStart(9)} ${s(best(v, 'cpuMs')).padStart(9)}  ${(best(v, 'cpuMs') / best('native', 'cpuMs')).toFixed(2)}×`);
  if (wasmtime) console.log(`  wpm-warm / wasmtime: ${(best('wpm-warm', 'cpuMs') / best('wasmtime', 'cpuMs')).toFixed(2)}× CPU, ${(best('wpm-warm', 'wallMs') / best('wasmtime', 'wallMs')).toFixed(2)}× wall`);
  if (sameRelease) {
    const version = spawnSync(sameRelease[0], [...sameRelease.slice(1), '--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
    console.log(`  native-same is ${version}; wpm-warm / native-same: ${(best('wpm-warm', 'cpuMs') / best('native-same', 'cpuMs')).toFixed(2)}× CPU`);
    if (wasmtime) console.log(`  wasmtime / native-same: ${(best('wasmtime', 'cpuMs') / best('native-same', 'cpuMs')).toFixed(2)}× CPU`);
  }
  // Why an object may differ from wpm's; any other difference is a bug.
  const mayDiffer = {
    'native-same': 'another build of the same release',
    // wasmtime is given absolute guest paths, which __FILE__ (in assert) puts in the object.
    wasmtime: 'its source path is absolute, /build/…, and shell.c records __FILE__',
  };
  for (const v of ['wpm-cold', 'wpm-warm', 'wasmtime', 'native-same']) {
    if (!objects[v] || !objects['wpm-liftoff']) continue;
    const same = objects[v].equals(objects['wpm-liftoff']);
    console.log(`  object: ${v} ${same ? '==' : '!='} wpm-liftoff${same ? '' : ` (${mayDiffer[v] ?? 'byte-identical was expected'})`}`);
  }
}

function wpmCli(home, args, env = {}) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/wpm.js'), ...args], { env: { ...process.env, WPM_HOME: home, ...env }, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`wpm ${args.join(' ')} failed:\n${r.stderr.slice(-3000)}`);
  return { ...r, ms: performance.now() - t0 };
}

function runBench(n) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-run-'));
  const program = wpmCli(home, ['build', '--no-link', path.join(ROOT, 'packages/hello/default.jsonnet')]).stdout.trim();
  const cache = path.join(home, 'cache/wasm-code');
  for (let i = 0; i < 3; i++) {
    wpmCli(home, ['run', program, '--', 'bench']);
    warmUpsDone(cache);
  }
  const dbg = wpmCli(home, ['run', program, '--', 'bench'], { WPM_DEBUG: '1' });
  const fromCache = /MiB of code loaded/.test(dbg.stderr);
  const runs = [];
  const bare = [];
  for (let i = 0; i < n; i++) {
    runs.push(wpmCli(home, ['run', program, '--', 'bench']).ms);
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    bare.push(performance.now() - t0);
  }
  console.log(`\nwpm run of hello (${fromCache ? 'from cached code' : 'NOT from cached code'}), ${n} runs interleaved with a bare node -e 0: median / min`);
  console.log(`  wpm run     ${median(runs).toFixed(0)} ms / ${min(runs).toFixed(0)} ms`);
  console.log(`  node -e 0   ${median(bare).toFixed(0)} ms / ${min(bare).toFixed(0)} ms`);
  console.log(`  ratio       ${(median(runs) / median(bare)).toFixed(2)}× (median), ${(min(runs) / min(bare)).toFixed(2)}× (min)`);
  fs.rmSync(home, { recursive: true, force: true });
}

function packageSetBench() {
  const set = path.join(ROOT, 'packages/default.jsonnet');
  const toolchains = path.join(ROOT, 'packages/toolchains/default.jsonnet');
  const fresh = (name) => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), `wpm-bench-set-${name}-`));
    wpmCli(home, ['build', '--no-link', toolchains], { WPM_WASM_CODE_CACHE: '0' }); // downloads, not counted
    return home;
  };
  const off = fresh('off');
  const tOff = wpmCli(off, ['build', '--no-link', set], { WPM_WASM_CODE_CACHE: '0' }).ms;
  const cold = fresh('cold');
  const tCold = wpmCli(cold, ['build', '--no-link', set]).ms;
  warmUpsDone(path.join(cold, 'cache/wasm-code'));
  const warm = fresh('warm');
  fs.cpSync(path.join(cold, 'cache/wasm-code'), path.join(warm, 'cache/wasm-code'), { recursive: true });
  const tWarm = wpmCli(warm, ['build', '--no-link', set]).ms;
  console.log(`\ncold build of packages/default.jsonnet (fresh store, toolchains fetched beforehand), -j ${os.availableParallelism()}`);
  console.log(`  without the cache        ${s(tOff)}`);
  console.log(`  cache on, empty          ${s(tCold)}  (${(tCold / tOff).toFixed(2)}×)`);
  console.log(`  cache on, warm           ${s(tWarm)}  (${(tWarm / tOff).toFixed(2)}×; warmed by the build above)`);
  for (const h of [off, cold, warm]) fs.rmSync(h, { recursive: true, force: true, maxRetries: 3 });
}

if (!fs.existsSync(path.join(ROOT, 'dist/runtime/wasi/code-cache/index.js'))) {
  console.error('dist/ is missing or old: run `npm run build` first');
  process.exit(1);
}
ensureSysroot();
ensureSqlite();
if (argv.includes('--fresh-cache')) fs.rmSync(WARM_DIR, { recursive: true, force: true });
fs.mkdirSync(WARM_DIR, { recursive: true });
const wasmtime = findWasmtime();
console.log(`node ${process.version} (V8 ${process.versions.v8}), ${os.availableParallelism()} cores; ${load()}`);
if (!wasmtime) console.log('wasmtime: not found (--wasmtime PATH; `cargo install wasmtime-cli` builds it): skipped');
for (const file of opt('--files', 'shell.c,sqlite3.c').split(',').filter(Boolean)) compileBench(file, Number(opt('--rounds', '1')), wasmtime);
if (argv.includes('--run')) runBench(Number(opt('--run', '20')));
if (argv.includes('--package-set')) packageSetBench();
console.log(`\nat the end: ${load()}`);
