#!/usr/bin/env node
// Benchmark: clang.wasm `-O2 -c` of the sqlite3 amalgamation, in one run, four ways by default:
//   wpm     wpm's WASI host, as `wpm build` runs it (worker pool, V8 baseline compiler only)
//   node    node:wasi with equivalent preopens
//   yowasp  YoWASP's own runtime (@yowasp/clang's `commands` API: jco-transpiled, in-memory files)
//   native  Debian's clang-14, same flags, --target=wasm32-wasi (the physical reference)
// and, with --variants, wpm-tiered: wpm's host with V8's default tiering (TurboFan for hot
// functions), as `wpm run` has it; wpm-cached: as `wpm build` with the code cache, reading the
// cache bench/wasm-code-cache.mjs warmed (run that first).
// plus the warm per-step overhead of a hello.c compile. Every measurement runs in a fresh
// process, rounds are interleaved, and with --rounds above 1 the minimum is reported (the machine
// is shared, so wall times are noisy; CPU times of the whole process are shown as well).
//
//   npm run build && node bench/wasi-clang.mjs [--files sqlite3.c,shell.c] [--rounds 1] [--hello-runs 20]
//                                              [--variants wpm,wpm-tiered,node,yowasp,native]

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CLANG_WASM, FLAGS, ROOT, S, SQLITE, SQLITE_FLAGS, SYSROOT, ensureSqlite, ensureSysroot, guestThreadCpu, threadTimes,
} from './lib/clang-inputs.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i === -1 ? dflt : argv[i + 1];
};

// ---- child modes: one measurement each, printed as JSON on the last stdout line ----

async function childWpm(build, args, runs, tiered = false, cacheDir = null) {
  const { WasiPool, configureCodeCache, loadModule, useBaselineCompilerOnly } = await import(path.join(ROOT, 'dist/runtime/wasi/index.js'));
  // wpm-cached reads the code cache bench/wasm-code-cache.mjs warms (run that first), without adding to it.
  if (cacheDir !== null) configureCodeCache({ dir: cacheDir, warm: false });
  if (!tiered) useBaselineCompilerOnly(); // as `wpm build` does
  const module = await loadModule(fs.readFileSync(CLANG_WASM));
  const pool = new WasiPool({ size: 1 });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-tmp-'));
  const mounts = [
    { guest: S, host: SYSROOT, writable: false },
    { guest: '/build', host: build, writable: true },
    { guest: '/tmp', host: tmp, writable: true },
  ];
  const times = [];
  const before = threadTimes();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await pool.run(module, { args, env: {}, mounts, seed: new Uint8Array(32), stderr: 'inherit' });
    times.push(performance.now() - t0);
    if (r.exitCode !== 0) throw new Error(`clang exited ${r.exitCode}`);
  }
  const threadCpuMs = guestThreadCpu(before, threadTimes()); // before close() ends the worker thread
  await pool.close();
  return { times, threadCpuMs };
}

const keepAlive = { running: null };

async function childNodeWasi(build, args, runs) {
  const { WASI } = await import('node:wasi');
  process.removeAllListeners('warning');
  const module = new WebAssembly.Module(fs.readFileSync(CLANG_WASM));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-tmp-'));
  const times = [];
  const before = threadTimes();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const wasi = new WASI({ version: 'preview1', args, env: {}, preopens: { '.': build, '/build': build, '/tmp': tmp, [S]: SYSROOT }, returnOnExit: true });
    const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi.wasiImport });
    // Node 20 defect: nothing keeps the WASI object alive while start() runs, so a GC
    // during a long run (triggered from uvwasi's own fd_write allocation) destroys it and
    // uv_mutex_destroy() aborts the process (gdb: ~WASI -> uvwasi_destroy -> abort). This
    // is the "V8 aborted" seen on sqlite3.c. Holding the running one avoids it; finished
    // ones are collected explicitly between runs, outside the timing (left to an
    // implicit GC, they crash the process too).
    keepAlive.running = wasi;
    const code = wasi.start(instance);
    times.push(performance.now() - t0);
    if (code !== 0) throw new Error(`clang exited ${code}`);
    report(times, guestThreadCpu(before, threadTimes()));
    keepAlive.running = null;
    globalThis.gc?.();
  }
  return { times, threadCpuMs: guestThreadCpu(before, threadTimes()) };
}

/** YoWASP's runtime keeps its files in memory: the sources go in, the object comes out. */
async function childYowasp(build, args, runs) {
  const { commands } = await import('@yowasp/clang');
  const inputs = {};
  for (const f of fs.readdirSync(build)) inputs[f] = fs.readFileSync(path.join(build, f));
  await commands.clang(['--version'], {}, { stdout: null, stderr: null }); // unpack its resources first
  const guestArgs = args.slice(1).filter((a) => !a.startsWith('--sysroot=') && !a.startsWith('-resource-dir='));
  const out = guestArgs[guestArgs.indexOf('-o') + 1];
  const times = [];
  const before = threadTimes();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const files = await commands.clang(guestArgs, { ...inputs }, { stdout: null, stderr: null, decodeASCII: false });
    times.push(performance.now() - t0);
    if (!files[out]) throw new Error(`clang under YoWASP wrote no ${out}`);
    fs.writeFileSync(path.join(build, out), files[out]);
  }
  return { times, threadCpuMs: guestThreadCpu(before, threadTimes()) };
}

function report(times, threadCpuMs) {
  const ru = process.resourceUsage();
  fs.writeSync(1, `RESULT ${JSON.stringify({ times, threadCpuMs, cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000 })}\n`);
}

if (argv[0] === '--child') {
  const [, variant, build, json, runs] = argv;
  const cached = path.join(ROOT, 'node_modules/.cache/wpm-bench/wasm-code');
  const fn = { wpm: childWpm, 'wpm-tiered': (...a) => childWpm(...a, true), 'wpm-cached': (...a) => childWpm(...a, false, cached), node: childNodeWasi, yowasp: childYowasp }[variant];
  const { times, threadCpuMs } = await fn(build, JSON.parse(json), Number(runs));
  report(times, threadCpuMs);
  process.exit(0);
}

// ---- parent: preparation and the interleaved rounds ----

function measureNative(build, args) {
  const cargs = args.slice(1).map((a) => a.replaceAll(S, SYSROOT)).filter((a) => !a.startsWith('-resource-dir') && a !== '--target=wasm32-wasip1');
  cargs.unshift('--target=wasm32-wasi', '-isystem', path.join(SYSROOT, 'include/wasm32-wasip1'));
  const timeBin = fs.existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', 'CPU %U %S'] : [];
  const t0 = performance.now();
  const r = spawnSync(timeBin[0] ?? 'clang-14', [...timeBin.slice(1), ...(timeBin.length ? ['clang-14'] : []), ...cargs], { cwd: build, stdio: ['ignore', 'inherit', 'pipe'] });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`clang-14 failed: ${r.stderr}`);
  const m = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr.toString());
  const cpu = m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN;
  return { times: [wall], threadCpuMs: cpu, cpuMs: cpu };
}

function measure(variant, build, args, runs) {
  if (variant === 'native') return measureNative(build, args);
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', variant, build, JSON.stringify(args), String(runs)], {
    stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24,
  });
  const results = r.stdout.toString().split('\n').filter((l) => l.startsWith('RESULT '));
  const last = results.length > 0 ? JSON.parse(results[results.length - 1].slice(7)) : null;
  if (last === null || last.times.length < runs) {
    console.error(`  ${variant} died (${r.signal ?? `status ${r.status}`}) before finishing`);
    return null;
  }
  if (r.status !== 0) console.error(`  (${variant}: the process then died with ${r.signal ?? `status ${r.status}`}; its result was already reported)`);
  return last;
}

const min = (xs) => Math.min(...xs);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

function bigCompile(file, rounds, variants) {
  const results = Object.fromEntries(variants.map((v) => [v, { wall: [], cpu: [], thread: [] }]));
  const args = ['clang', ...FLAGS, ...SQLITE_FLAGS, '-c', file, '-o', file.replace(/\.c$/, '.o')];
  const objects = {};
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) {
      const build = fs.mkdtempSync(path.join(os.tmpdir(), `wpm-bench-${v}-`));
      for (const f of ['shell.c', 'sqlite3.c', 'sqlite3.h']) fs.copyFileSync(path.join(SQLITE, f), path.join(build, f));
      const m = measure(v, build, args, 1);
      if (m !== null) {
        results[v].wall.push(m.times[0]);
        results[v].cpu.push(m.cpuMs);
        results[v].thread.push(m.threadCpuMs);
        objects[v] = fs.readFileSync(path.join(build, file.replace(/\.c$/, '.o')));
        console.error(`  round ${r + 1} ${v.padEnd(10)} wall ${s(m.times[0])}, guest thread CPU ${s(m.threadCpuMs)}, process CPU ${s(m.cpuMs)}`);
      }
      fs.rmSync(build, { recursive: true, force: true });
    }
  }
  console.log(`\nclang -O2 -c ${file}, best of ${rounds}: wall / CPU of the thread running clang / CPU of the whole process`);
  const ok = (v) => results[v] !== undefined && results[v].wall.length > 0;
  for (const v of variants) {
    const x = results[v];
    if (!ok(v)) {
      console.log(`  ${v.padEnd(10)} crashed in every round${v === 'node' ? ' (Node 20 node:wasi heap corruption / abort on long runs)' : ''}`);
      continue;
    }
    console.log(`  ${v.padEnd(10)} ${s(min(x.wall)).padStart(9)} (median ${s(median(x.wall))})  ${s(min(x.thread)).padStart(9)}  ${s(min(x.cpu)).padStart(9)}`);
  }
  const ratio = (a, b, k) => (min(results[a][k]) / min(results[b][k])).toFixed(3);
  const line = (a, b, label) => {
    if (ok(a) && ok(b)) console.log(`  ${label.padEnd(18)} ${ratio(a, b, 'wall')}x wall, ${ratio(a, b, 'thread')}x guest-thread CPU`);
  };
  line('wpm', 'wpm-tiered', 'wpm / wpm-tiered');
  line('wpm', 'node', 'wpm / node:wasi');
  line('wpm', 'yowasp', 'wpm / YoWASP');
  line('wpm', 'native', 'wpm / native');
  line('node', 'native', 'node:wasi / native');
  line('yowasp', 'native', 'YoWASP / native');
  for (const v of ['node', 'yowasp']) {
    if (objects.wpm && objects[v]) console.log(`  objects: wpm ${objects.wpm.equals(objects[v]) ? '==' : '!='} ${v} (byte-identical is expected)`);
  }
}

function helloOverhead(runs) {
  const build = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-hello-'));
  fs.writeFileSync(path.join(build, 'hello.c'), '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n');
  const args = ['clang', ...FLAGS, '-O2', '-c', 'hello.c', '-o', 'hello.o'];
  console.log(`\nwarm hello.c compile, ${runs} runs after 3 warm-up runs in one process (per step: mean / min)`);
  const rows = {};
  for (const v of ['wpm', 'wpm-cached', 'node']) {
    const m = measure(v, build, args, runs + 3);
    if (m === null) continue;
    const t = m.times.slice(3);
    rows[v] = t;
    console.log(`  ${v.padEnd(10)} ${(t.reduce((a, b) => a + b, 0) / t.length).toFixed(1)} ms / ${min(t).toFixed(1)} ms`);
  }
  if (rows.wpm && rows.node) console.log(`  wpm - node:wasi  ${(min(rows.wpm) - min(rows.node)).toFixed(1)} ms per step (worker hand-off, sandbox set-up)`);
  if (rows['wpm-cached'] && rows.node) console.log(`  wpm-cached - node:wasi  ${(min(rows['wpm-cached']) - min(rows.node)).toFixed(1)} ms per step (TurboFan code from the cache on both sides)`);
  fs.rmSync(build, { recursive: true, force: true });
}

if (!fs.existsSync(path.join(ROOT, 'dist/runtime/wasi/index.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}
ensureSysroot();
ensureSqlite();
const rounds = Number(opt('--rounds', '1'));
const hasNative = spawnSync('clang-14', ['--version']).status === 0;
const variants = opt('--variants', hasNative ? 'wpm,node,yowasp,native' : 'wpm,node,yowasp').split(',');
if (!hasNative) console.error('clang-14 not found (apt-get install clang-14): skipping native');
console.log(`node ${process.version}, ${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
if (opt('--hello-runs', '20') !== '0') helloOverhead(Number(opt('--hello-runs', '20')));
for (const file of opt('--files', 'sqlite3.c').split(',').filter(Boolean)) bigCompile(file, rounds, variants);
console.log(`\nload average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
