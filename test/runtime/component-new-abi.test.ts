// builtin:component-new's canonical-ABI glue, run as a reactor call in the pool: wasm-tools' core
// module (from jco-transpile, used here as a test fixture) under wpm's preview1 host, against
// jco's own generated binding of the same function as the oracle.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentNew as jcoComponentNew, preview1AdapterCommandPath } from '@bytecodealliance/jco';
import { compileModule, WasiPool, type WasiRunOptions } from '../../runtime/wasi/index.js';
import type { ComponentNewResult } from '../../runtime/builders/component-new/abi.js';
import { buildFixture, ROOT, SEED } from './wasi-env.js';

const WASM_TOOLS = path.join(ROOT, 'node_modules/@bytecodealliance/jco-transpile/vendor/wasm-tools.core.wasm');
const DRIVER = new URL('../../runtime/builders/component-new/abi.ts', import.meta.url).href;
const RUN: WasiRunOptions = { args: ['wasm-tools'], env: {}, mounts: [], cwd: '/', seed: SEED };

describe('component-new through the canonical ABI, in the pool', () => {
  const pool = new WasiPool({ size: 1 });
  let tool: WebAssembly.Module;
  let hello: Uint8Array;
  let adapter: Uint8Array;
  const call = async (binary: Uint8Array, adapters: [string, Uint8Array][], opts: Partial<WasiRunOptions> = {}) => {
    const r = await pool.run({ kind: 'reactor', module: tool, driver: DRIVER, input: { binary, adapters } }, { ...RUN, ...opts });
    expect(r.exitCode).toBe(0);
    return r.value as ComponentNewResult;
  };

  beforeAll(async () => {
    tool = compileModule(fs.readFileSync(WASM_TOOLS));
    hello = fs.readFileSync(await buildFixture(pool, 'hello'));
    adapter = fs.readFileSync(preview1AdapterCommandPath());
  });
  afterAll(() => pool.close());

  it("lifts the same component jco's own binding makes from the module and the command adapter", async () => {
    const r = await call(hello, [['wasi_snapshot_preview1', adapter]]);
    if (!('ok' in r)) throw new Error(`component-new failed: ${r.err}`);
    expect([...r.ok.subarray(0, 8)]).toEqual([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]);
    const oracle = await jcoComponentNew(hello, [['wasi_snapshot_preview1', adapter]]);
    expect(Buffer.from(r.ok).equals(Buffer.from(oracle))).toBe(true);
  });

  it("lifts wasm-tools' error string for bytes that are not wasm", async () => {
    const r = await call(new TextEncoder().encode('not wasm at all'), [['wasi_snapshot_preview1', adapter]]);
    expect(r).toEqual({ err: expect.stringContaining('magic header not detected') });
  });

  it('passes no adapters as none: the module alone cannot satisfy its wasi_snapshot_preview1 imports', async () => {
    const r = await call(hello, []);
    expect('err' in r && r.err).toMatch(/wasi_snapshot_preview1/);
  });

  it('is deterministic: the same inputs under another seed give the same bytes', async () => {
    const a = await call(hello, [['wasi_snapshot_preview1', adapter]]);
    const b = await call(hello, [['wasi_snapshot_preview1', adapter]], { seed: new Uint8Array(32).fill(42) });
    expect('ok' in a && 'ok' in b && Buffer.from(a.ok).equals(Buffer.from(b.ok))).toBe(true);
  });

  it('runs under the memory limit: too little memory fails the call as a memory-limit error', async () => {
    // 23 pages of initial memory plus one: not enough to hold the inputs and the output.
    const run = pool.run(
      { kind: 'reactor', module: tool, driver: DRIVER, input: { binary: hello, adapters: [['wasi_snapshot_preview1', adapter]] } },
      { ...RUN, limits: { memoryBytes: 24 * 65536 } },
    );
    await expect(run).rejects.toMatchObject({ code: 'ERR_WASI_MEMORY_LIMIT' });
  });

  it('refuses a module that is not a reactor, naming why', async () => {
    const run = pool.run({ kind: 'reactor', module: compileModule(hello), driver: DRIVER, input: { binary: hello, adapters: [] } }, RUN);
    await expect(run).rejects.toMatchObject({ code: 'ERR_WASI_INVALID_MODULE', message: expect.stringContaining('exports _start') });
  });
});
