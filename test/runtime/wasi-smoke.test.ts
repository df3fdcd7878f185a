import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WasiPool } from '../../runtime/wasi/index.js';
import { PREVIEW1_NAMES, SYSCALLS } from '../../runtime/wasi/syscalls/table.js';
import { buildFixture, clangModule, COMPILE_FLAGS, linkArgs, loadModule, runCaptured, sandbox } from './wasi-env.js';

const pool = new WasiPool({ size: 2 });
afterAll(() => pool.close());

describe('the system-call table', () => {
  it('implements every wasi_snapshot_preview1 function, and nothing else', () => {
    expect(Object.keys(SYSCALLS).sort()).toEqual([...PREVIEW1_NAMES].sort());
    expect(PREVIEW1_NAMES.length).toBe(46);
  });
});

describe('clang.wasm under the wpm WASI host', () => {
  it('compiles and links hello.c, and the result runs', async () => {
    const wasm = await buildFixture(pool, 'hello');
    const r = await runCaptured(pool, loadModule(wasm), { args: ['hello', 'a', 'b'], env: {}, mounts: sandbox().mounts });
    expect(r).toEqual({ exitCode: 0, stdout: 'hello a b\n', stderr: '' });
  });

  it('reports a compile error as a nonzero exit with the diagnostic on stderr', async () => {
    const sb = sandbox();
    fs.writeFileSync(path.join(sb.build, 'bad.c'), 'int main(void) { return x; }\n');
    const r = await runCaptured(pool, clangModule(), { args: ['clang', ...COMPILE_FLAGS, '-c', 'bad.c', '-o', 'bad.o'], env: {}, mounts: sb.mounts });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain("use of undeclared identifier 'x'");
    expect(linkArgs(['a.o'], 'a.wasm')[0]).toBe('wasm-ld');
  });
});
