// What the clang.wasm benchmarks compile with: the wasi sysroot from @yowasp/clang's resources,
// and sqlite's shell.c / sqlite3.c (from the sqlite3 npm package's bundled autoconf tarball,
// fetched once). Both are kept under node_modules/.cache/.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(fileURLToPath(import.meta.url), '../../..');
export const CLANG_WASM = path.join(ROOT, 'node_modules/@yowasp/clang/gen/llvm.core.wasm');
export const SYSROOT = path.join(ROOT, 'node_modules/.cache/wpm-test/sysroot');
export const SQLITE = path.join(ROOT, 'node_modules/.cache/wpm-bench/sqlite');
/** Where the guest sees the sysroot: a store path, as in a build. */
export const S = '/wpm/store/0000000000000000000000000000000a-wasi-sysroot';
export const FLAGS = ['--target=wasm32-wasip1', `--sysroot=${S}`, `-resource-dir=${S}`];
export const SQLITE_FLAGS = ['-O2', '-D_WASI_EMULATED_SIGNAL', '-D_WASI_EMULATED_PROCESS_CLOCKS', '-D_WASI_EMULATED_GETPID', '-DSQLITE_OMIT_LOAD_EXTENSION', '-DSQLITE_THREADSAFE=0'];

export function ensureSysroot() {
  if (fs.existsSync(path.join(SYSROOT, 'lib/wasm32-wasip1/libc.a'))) return;
  fs.mkdirSync(SYSROOT, { recursive: true });
  execFileSync('tar', ['xf', path.join(ROOT, 'node_modules/@yowasp/clang/gen/llvm-resources.tar'), '-C', SYSROOT]);
}

export function ensureSqlite() {
  if (fs.existsSync(path.join(SQLITE, 'shell.c'))) return;
  const dl = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-dl-'));
  console.error('fetching sqlite sources (npm pack sqlite3@5)…');
  execFileSync('npm', ['pack', 'sqlite3@5', '--pack-destination', dl], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tgz = fs.readdirSync(dl).find((f) => f.endsWith('.tgz'));
  execFileSync('tar', ['xzf', path.join(dl, tgz), '-C', dl]);
  const deps = path.join(dl, 'package/deps');
  const inner = fs.readdirSync(deps).find((f) => /^sqlite-autoconf-.*\.tar\.gz$/.test(f));
  execFileSync('tar', ['xzf', path.join(deps, inner), '-C', dl]);
  const src = path.join(dl, inner.replace(/\.tar\.gz$/, ''));
  fs.mkdirSync(SQLITE, { recursive: true });
  for (const f of ['shell.c', 'sqlite3.c', 'sqlite3.h']) fs.copyFileSync(path.join(src, f), path.join(SQLITE, f));
  fs.rmSync(dl, { recursive: true, force: true });
}

/** A build directory holding sqlite's sources. */
export function sqliteBuildDir(prefix) {
  const build = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const f of ['shell.c', 'sqlite3.c', 'sqlite3.h']) fs.copyFileSync(path.join(SQLITE, f), path.join(build, f));
  return build;
}

/** CPU ms of each thread of this process (Linux /proc; empty elsewhere). */
export function threadTimes() {
  const out = new Map();
  try {
    for (const tid of fs.readdirSync('/proc/self/task')) {
      const f = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(tid, (Number(f[11]) + Number(f[12])) * 10); // utime + stime, 100 ticks/s
    }
  } catch {
    // not Linux
  }
  return out;
}

/** CPU of the busiest thread between two snapshots: the one that ran the guest. */
export function guestThreadCpu(before, after) {
  let best = 0;
  for (const [tid, t] of after) best = Math.max(best, t - (before.get(tid) ?? 0));
  return best;
}

/** Native clang-14 on the same command (the physical reference): wall and CPU ms. */
export function measureNative(build, args) {
  const cargs = args.slice(1).map((a) => a.replaceAll(S, SYSROOT)).filter((a) => !a.startsWith('-resource-dir') && a !== '--target=wasm32-wasip1');
  cargs.unshift('--target=wasm32-wasi', '-isystem', path.join(SYSROOT, 'include/wasm32-wasip1'));
  return timedCompile('clang-14', cargs, build);
}

/**
 * A native clang of the same release as clang.wasm (`[bin, ...its first arguments]`: `zig clang`
 * from PyPI's ziglang 0.17.1 is clang 22.1), on the wasm command itself: what the compiler costs
 * natively, apart from the change in clang between release 14 and 22. Wall and CPU ms.
 */
export function measureSameRelease([bin, ...pre], build, args) {
  return timedCompile(bin, [...pre, ...args.slice(1).map((a) => a.replaceAll(S, SYSROOT))], build);
}

/** A native compile in `build`, timed by GNU time: wall and CPU ms. */
function timedCompile(bin, args, build) {
  const t0 = performance.now();
  const r = spawnSyncChecked('/usr/bin/time', ['-f', 'CPU %U %S', bin, ...args], build);
  const wall = performance.now() - t0;
  const m = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr.toString());
  const cpu = m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN;
  return { wallMs: wall, cpuMs: cpu, threadCpuMs: cpu };
}

function spawnSyncChecked(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r;
}
