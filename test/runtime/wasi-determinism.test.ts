// Determinism: what a guest observes, and what clang produces, is the same bytes on every
// run, in any host directory, and the same as under a second host (node:wasi).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WasiPool, type Mount } from '../../runtime/wasi/index.js';
import { buildFixture, clangModule, COMPILE_FLAGS, FIXTURES, linkArgs, loadModule, ROOT, runCaptured, sandbox, sysrootDir, SYSROOT_GUEST, tempDir } from './wasi-env.js';

const pool = new WasiPool({ size: 2 });
let probe: WebAssembly.Module;
const INPUT = '/wpm/store/4444444444444444444444444444444z-input';

beforeAll(async () => {
  probe = loadModule(await buildFixture(pool, 'probe'));
});
afterAll(() => pool.close());

/** A small input store path; `noise` first burns host inode numbers so they differ between runs. */
function makeInput(noise: number): string {
  const dir = tempDir('input');
  for (let i = 0; i < noise; i++) fs.writeFileSync(path.join(dir, `noise${i}`), '');
  for (let i = 0; i < noise; i++) fs.rmSync(path.join(dir, `noise${i}`));
  fs.mkdirSync(path.join(dir, 'in/sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'in/b.txt'), 'bee');
  fs.writeFileSync(path.join(dir, 'in/a.txt'), 'a');
  fs.writeFileSync(path.join(dir, 'in/sub/deep'), 'deep');
  fs.symlinkSync('sub/deep', path.join(dir, 'in/link'));
  fs.linkSync(path.join(dir, 'in/a.txt'), path.join(dir, 'in/a-hard'));
  fs.chmodSync(path.join(dir, 'in/a.txt'), 0o444);
  return path.join(dir, 'in');
}

async function runProbe(noise: number): Promise<string> {
  const sb = sandbox(`probe${noise}`);
  for (let i = 0; i < noise; i++) fs.writeFileSync(path.join(sb.tmp, `burn${i}`), '');
  for (let i = 0; i < noise; i++) fs.rmSync(path.join(sb.tmp, `burn${i}`));
  fs.writeFileSync(path.join(sb.build, 'src.c'), 'int x;\n');
  const mounts: Mount[] = [...sb.mounts.filter((m) => m.guest !== SYSROOT_GUEST), { guest: INPUT, host: makeInput(noise), writable: false }];
  const r = await runCaptured(pool, probe, {
    args: ['probe', 'arg'], env: { out: '/wpm/store/x-out', SOURCE_DATE_EPOCH: '1' }, mounts, stdin: new TextEncoder().encode('{"a":1}'),
  });
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

describe('determinism', () => {
  it('a probe of everything observable prints the same bytes every run and in different host dirs', async () => {
    const a = await runProbe(0);
    const b = await runProbe(0);
    const c = await runProbe(37);
    expect(a).toContain(`${INPUT}/sub:\n`);
    expect(a).toContain('fd 3 preopen=.');
    expect(a).not.toMatch(/wpm-probe/); // no host path leaks
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  const SOURCES = ['probe', 'files'];

  async function compileIn(dir: { build: string; mounts: Mount[] }) {
    for (const s of SOURCES) fs.copyFileSync(path.join(FIXTURES, `${s}.c`), path.join(dir.build, `${s}.c`));
    for (const h of ['check.h', 'errname.h']) fs.copyFileSync(path.join(FIXTURES, h), path.join(dir.build, h));
    for (const s of SOURCES) {
      const r = await runCaptured(pool, clangModule(), { args: ['clang', ...COMPILE_FLAGS, '-O2', '-g', '-c', `${s}.c`, '-o', `${s}.o`], env: {}, mounts: dir.mounts });
      expect(r.exitCode, r.stderr).toBe(0);
    }
    const ld = await runCaptured(pool, clangModule(), { args: linkArgs(['probe.o'], 'probe.wasm'), env: {}, mounts: dir.mounts });
    expect(ld.exitCode).toBe(0);
    return Object.fromEntries(['probe.o', 'files.o', 'probe.wasm'].map((f) => [f, fs.readFileSync(path.join(dir.build, f))]));
  }

  it('the same clang compile and link in two fresh directories gives byte-identical files', async () => {
    const [a, b] = await Promise.all([compileIn(sandbox('cc-a')), compileIn(sandbox('cc-b'))]);
    for (const f of Object.keys(a)) expect(Buffer.compare(a[f], b[f]), f).toBe(0);
  });

  it('clang gives byte-identical objects under this host and under node:wasi', async () => {
    const ours = await compileIn(sandbox('cc-ours'));
    const theirs = sandbox('cc-node');
    for (const s of SOURCES) fs.copyFileSync(path.join(FIXTURES, `${s}.c`), path.join(theirs.build, `${s}.c`));
    for (const h of ['check.h', 'errname.h']) fs.copyFileSync(path.join(FIXTURES, h), path.join(theirs.build, h));
    const preopens = { '.': theirs.build, '/build': theirs.build, '/tmp': theirs.tmp, [SYSROOT_GUEST]: sysrootDir() };
    for (const s of SOURCES) {
      const args = ['clang', ...COMPILE_FLAGS, '-O2', '-g', '-c', `${s}.c`, '-o', `${s}.o`];
      execFileSync(process.execPath, [path.join(ROOT, 'test/runtime/node-wasi-run.mjs'), path.join(ROOT, 'node_modules/@yowasp/clang/gen/llvm.core.wasm'), JSON.stringify({ args, env: {}, preopens })], { stdio: 'pipe' });
      expect(Buffer.compare(fs.readFileSync(path.join(theirs.build, `${s}.o`)), ours[`${s}.o`]), s).toBe(0);
    }
  });
});
