// One call into a WASI preview1 *reactor* (a library module: no _start, exported functions) in
// the current thread (a pool worker), under the same hermetic host as a command: the same
// context, syscall table, seeded randomness and limits. What to call, and how to pass values
// across the module's memory, is a driver's business: an ES module named by URL and imported
// here, so this layer knows no particular library (builtin:component-new's driver is
// runtime/builtins/component-new-abi.ts).

import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { GuestStopped, ProcExit } from './errno.js';
import { createContext, InvalidModule, wasiImports, type HostOutcome } from './host.js';
import { describeTrap, isTrap, type TrapInfo } from './trap.js';
import type { WasiContext } from './context.js';
import type { WasiRunOptions } from './types.js';

/** A reactor module, the driver that calls into it, and the driver's (structured-cloneable) input. */
export interface ReactorCall {
  kind: 'reactor';
  module: WebAssembly.Module;
  /** URL (or absolute host path) of an ES module exporting `drive(exports, input)`. */
  driver: string;
  input: unknown;
}

/** What a driver module exports. It runs in the worker, between `_initialize` and the end of the run. */
export interface ReactorDriver {
  drive(exports: WebAssembly.Exports, input: unknown): unknown;
}

export async function runReactor(call: ReactorCall, opts: WasiRunOptions): Promise<HostOutcome> {
  const toClose: number[] = [];
  const start = performance.now();
  let ctx: WasiContext | null = null;
  let exitCode: number | null = null;
  let trap: TrapInfo | null = null;
  let memoryLimitHit = false;
  let returned = false;
  let value: unknown;
  try {
    const url = call.driver.startsWith('file:') ? call.driver : pathToFileURL(call.driver).href;
    const driver = (await import(url)) as Partial<ReactorDriver>;
    if (typeof driver.drive !== 'function') throw new Error(`reactor driver ${call.driver} exports no drive()`);
    ctx = createContext(opts, toClose);
    const instance = new WebAssembly.Instance(call.module, { wasi_snapshot_preview1: wasiImports(ctx) });
    const memory = instance.exports.memory;
    if (!(memory instanceof WebAssembly.Memory)) throw new InvalidModule('the module exports no memory');
    if (typeof instance.exports._start === 'function') throw new InvalidModule('the module is a WASI command (it exports _start), not a reactor');
    const memLimit = opts.limits?.memoryBytes;
    if (memLimit !== undefined) {
      ctx.mem.onGrow = (bytes) => {
        if (bytes > memLimit) throw new GuestStopped('memory');
      };
    }
    ctx.mem.attach(memory);
    try {
      // A reactor's constructors run in _initialize, exactly once, before any other export.
      const init = instance.exports._initialize;
      if (typeof init === 'function') init();
      value = driver.drive(instance.exports, call.input);
      returned = true;
      exitCode = 0;
    } catch (err) {
      if (err instanceof ProcExit) exitCode = err.code;
      else if (err instanceof GuestStopped) memoryLimitHit = true;
      else if (isTrap(err)) trap = describeTrap(err as Error);
      else throw err;
    }
    return {
      exitCode,
      trap,
      durationMs: performance.now() - start,
      memoryBytes: ctx.mem.byteLength,
      outputLimitHit: ctx.output.exceeded,
      memoryLimitHit,
      // proc_exit(0) in the middle of a call is an exit without a value.
      ...(returned ? { value } : {}),
    };
  } finally {
    ctx?.fds.closeAll();
    for (const fd of toClose) fs.closeSync(fd);
  }
}
