// Shared by the runtime/wasi suites: the clang.wasm toolchain run through our own host,
// the sysroot extracted once, and C fixtures compiled at test time with a cache keyed by
// sha256(source + flags), so a warm suite compiles nothing.

import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { WasiPool, compileModule, type Mount, type WasiRunOptions } from '../../runtime/wasi/index.js';
import { tempDir } from '../helpers/cli.js';

export const ROOT = path.resolve(fileURLToPath(import.meta.url), '../../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures/wasi');
export const CACHE = path.join(ROOT, 'node_modules/.cache/wpm-test');
const CLANG_DIR = path.join(ROOT, 'node_modules/@yowasp/clang/gen');
export const SYSROOT_GUEST = '/wpm/store/0000000000000000000000000000000a-wasi-sysroot';

export const SEED = new Uint8Array(32).fill(7);

/** The sysroot (llvm-resources.tar) extracted once per machine, atomically. */
export function sysrootDir(): string {
  const dir = path.join(CACHE, 'sysroot');
  if (fs.existsSync(path.join(dir, 'lib/wasm32-wasip1/libc.a'))) return dir;
  fs.mkdirSync(CACHE, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(CACHE, 'sysroot-'));
  execFileSync('tar', ['xf', path.join(CLANG_DIR, 'llvm-resources.tar'), '-C', tmp]);
  try {
    fs.renameSync(tmp, dir);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // another suite won the race
  }
  return dir;
}

let clang: WebAssembly.Module | null = null;
export function clangModule(): WebAssembly.Module {
  clang ??= compileModule(fs.readFileSync(path.join(CLANG_DIR, 'llvm.core.wasm')));
  return clang;
}

export { tempDir };

export interface Sandbox {
  root: string;
  build: string;
  tmp: string;
  mounts: Mount[];
}

/** Fresh /build and /tmp, plus the sysroot mounted read-only at SYSROOT_GUEST. */
export function sandbox(prefix = 'sb'): Sandbox {
  const root = tempDir(prefix);
  const build = path.join(root, 'build');
  const tmp = path.join(root, 'tmp');
  fs.mkdirSync(build);
  fs.mkdirSync(tmp);
  return {
    root, build, tmp,
    mounts: [
      { guest: SYSROOT_GUEST, host: sysrootDir(), writable: false },
      { guest: '/build', host: build, writable: true },
      { guest: '/tmp', host: tmp, writable: true },
    ],
  };
}

export interface Captured {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Run a module with stdout/stderr captured through log files. */
export async function runCaptured(pool: WasiPool, module: WebAssembly.Module, opts: Omit<WasiRunOptions, 'seed'> & { seed?: Uint8Array }): Promise<Captured> {
  const logs = tempDir('log');
  const out = path.join(logs, 'stdout');
  const err = path.join(logs, 'stderr');
  try {
    const r = await pool.run(module, { seed: SEED, ...opts, stdout: { file: out }, stderr: { file: err } });
    return { exitCode: r.exitCode, stdout: readIf(out), stderr: readIf(err) };
  } finally {
    fs.rmSync(logs, { recursive: true, force: true });
  }
}

function readIf(p: string): string {
  return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : '';
}

export const COMPILE_FLAGS = ['--target=wasm32-wasip1', `--sysroot=${SYSROOT_GUEST}`, `-resource-dir=${SYSROOT_GUEST}`];

/** The link line `clang -###` prints for a wasip1 command (see runtime/wasi/README.md). */
export function linkArgs(objects: string[], output: string): string[] {
  return [
    'wasm-ld', '-m', 'wasm32',
    `-L${SYSROOT_GUEST}/lib/wasm32-unknown-wasip1`, `-L${SYSROOT_GUEST}/lib/wasm32-wasip1`,
    `${SYSROOT_GUEST}/lib/wasm32-wasip1/crt1-command.o`, ...objects, '-lc',
    `${SYSROOT_GUEST}/lib/wasm32-unknown-wasip1/libclang_rt.builtins.a`, '-o', output,
  ];
}

/** Compile test/fixtures/wasi/<name>.c to a command module with clang.wasm under our host. */
export async function buildFixture(pool: WasiPool, name: string, flags: string[] = ['-O1']): Promise<string> {
  const source = fs.readFileSync(path.join(FIXTURES, `${name}.c`));
  const headers = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.h')).sort();
  const hash = crypto.createHash('sha256').update(source).update('\0' + flags.join('\0'));
  for (const h of headers) hash.update('\0' + h + '\0').update(fs.readFileSync(path.join(FIXTURES, h)));
  const key = hash.digest('hex').slice(0, 32);
  const cached = path.join(CACHE, 'wasm', `${name}-${key}.wasm`);
  if (fs.existsSync(cached)) return cached;
  const sb = sandbox('cc');
  try {
    fs.writeFileSync(path.join(sb.build, `${name}.c`), source);
    for (const h of headers) fs.copyFileSync(path.join(FIXTURES, h), path.join(sb.build, h));
    const cc = await runCaptured(pool, clangModule(), {
      args: ['clang', ...COMPILE_FLAGS, ...flags, '-c', `${name}.c`, '-o', `${name}.o`], env: {}, mounts: sb.mounts,
    });
    if (cc.exitCode !== 0) throw new Error(`clang failed on ${name}.c:\n${cc.stderr}`);
    const ld = await runCaptured(pool, clangModule(), { args: linkArgs([`${name}.o`], `${name}.wasm`), env: {}, mounts: sb.mounts });
    if (ld.exitCode !== 0) throw new Error(`wasm-ld failed on ${name}.o:\n${ld.stderr}`);
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.copyFileSync(path.join(sb.build, `${name}.wasm`), tmp);
    fs.renameSync(tmp, cached);
    return cached;
  } finally {
    fs.rmSync(sb.root, { recursive: true, force: true });
  }
}

export function loadModule(file: string): WebAssembly.Module {
  return compileModule(fs.readFileSync(file));
}

/**
 * For a test file: a pool (closed after the file) and the conformance programs, compiled before
 * its tests (beforeAll); the map fills then.
 */
export function fixturePrograms(programs: readonly string[]): { pool: WasiPool; modules: Map<string, WebAssembly.Module> } {
  const pool = new WasiPool({ size: 2 });
  const modules = new Map<string, WebAssembly.Module>();
  beforeAll(async () => {
    const files = await Promise.all(programs.map((p) => buildFixture(pool, p)));
    programs.forEach((p, i) => modules.set(p, loadModule(files[i]!)));
  });
  afterAll(() => pool.close());
  return { pool, modules };
}
