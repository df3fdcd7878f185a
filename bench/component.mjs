// A syscall-heavy step (many small file writes and reads) as a WASI 0.2 component against
// the same C program as a preview1 module, in wpm's pool; the first transpile is timed apart.
// Needs dist/ (npx tsc) and the test fixtures' clang cache (run the runtime tests once).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { componentNew, preview1AdapterCommandPath } from '@bytecodealliance/jco';
import { WasiPool, compileModule, transpileComponent } from '../dist/runtime/wasi/index.js';
import { loadTranspiled } from '../dist/runtime/builders/index.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const SRC = `#include <stdio.h>
#include <string.h>
int main(void) {
  char name[64], buf[64];
  for (int i = 0; i < 2000; i++) {
    snprintf(name, sizeof name, "f%d.txt", i);
    FILE *f = fopen(name, "w"); fprintf(f, "line %d\\n", i); fclose(f);
    f = fopen(name, "r"); fgets(buf, sizeof buf, f); fclose(f);
  }
  printf("ok\\n");
  return 0;
}`;

// Compile with clang.wasm under wpm's own host (what the test helper does).
async function compile(pool) {
  const sysroot = path.join(ROOT, 'node_modules/.cache/wpm-test/sysroot');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-'));
  fs.mkdirSync(path.join(dir, 'build')); fs.mkdirSync(path.join(dir, 'tmp'));
  fs.writeFileSync(path.join(dir, 'build/io.c'), SRC);
  const S = '/wpm/store/0000000000000000000000000000000a-wasi-sysroot';
  const mounts = [{ guest: S, host: sysroot, writable: false }, { guest: '/build', host: path.join(dir, 'build'), writable: true }, { guest: '/tmp', host: path.join(dir, 'tmp'), writable: true }];
  const clang = compileModule(fs.readFileSync(path.join(ROOT, 'node_modules/@yowasp/clang/gen/llvm.core.wasm')));
  const seed = new Uint8Array(32);
  const flags = ['--target=wasm32-wasip1', `--sysroot=${S}`, `-resource-dir=${S}`];
  let r = await pool.run(clang, { args: ['clang', ...flags, '-O2', '-c', 'io.c', '-o', 'io.o'], env: {}, mounts, seed });
  if (r.exitCode) throw new Error('compile failed');
  r = await pool.run(clang, { args: ['wasm-ld', '-m', 'wasm32', `-L${S}/lib/wasm32-unknown-wasip1`, `-L${S}/lib/wasm32-wasip1`, `${S}/lib/wasm32-wasip1/crt1-command.o`, 'io.o', '-lc', `${S}/lib/wasm32-unknown-wasip1/libclang_rt.builtins.a`, '-o', 'io.wasm'], env: {}, mounts, seed });
  if (r.exitCode) throw new Error('link failed');
  return fs.readFileSync(path.join(dir, 'build/io.wasm'));
}

const pool = new WasiPool({ size: 1 });
const mod = await compile(pool);
const comp = await componentNew(mod, [['wasi_snapshot_preview1', fs.readFileSync(preview1AdapterCommandPath())]]);
let t = performance.now();
const files = await transpileComponent(comp);
const transpileMs = performance.now() - t;
const tdir = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-jco-'));
for (const [n, d] of Object.entries(files)) fs.writeFileSync(path.join(tdir, n), d);
const runnable = { module: compileModule(mod), component: loadTranspiled(tdir, 'bench') };

async function once(kind) {
  const build = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-run-'));
  const t0 = performance.now();
  const r = await pool.run(runnable[kind], { args: ['io'], env: {}, mounts: [{ guest: '/build', host: build, writable: true }], seed: crypto.randomBytes(32) });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`${kind} exited ${r.exitCode}`);
  fs.rmSync(build, { recursive: true, force: true });
  return ms;
}
const median = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const k of ['module', 'component']) await once(k); // warm the workers and the glue import
const times = { module: [], component: [] };
for (let i = 0; i < 5; i++) for (const k of ['module', 'component']) times[k].push(await once(k));
const m = median(times.module), c = median(times.component);
console.log(`2,000 × (create+write+close, open+read+close) in /build, median of 5, one worker`);
console.log(`module:    ${m.toFixed(0)} ms`);
console.log(`component: ${c.toFixed(0)} ms   (component / module = ${(c / m).toFixed(2)}×)`);
console.log(`first transpile (jco, once per component, then cached in the store): ${transpileMs.toFixed(0)} ms`);
await pool.close();
fs.rmSync(tdir, { recursive: true, force: true });
