// One call into a WASI preview1 *reactor* (a library module: no _start, exported functions) in
// the current thread (a pool worker), under the same hermetic host as a command: the same
// context, syscall table, seeded randomness and limits. What to call, and how to pass values
// across the module's memory, is a driver's business: an ES module named by URL and imported
// here, so this layer knows no particular library (builtin:component-new's driver is
// runtime/builders/component-new/abi.ts).

import { pathToFileURL } from 'node:url';
import { guestEnding, hostRun, InvalidModule, RETURNED, wasiImports, watchMemoryLimit, type HostOutcome } from './host.js';
import { nodeHostFs } from './node-host-fs.js';
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
  const url = call.driver.startsWith('file:') ? call.driver : pathToFileURL(call.driver).href;
  const driver = (await import(url)) as Partial<ReactorDriver>;
  if (typeof driver.drive !== 'function') throw new Error(`reactor driver ${call.driver} exports no drive()`);
  const drive = driver.drive;
  return hostRun(opts, (ctx) => {
    const instance = new WebAssembly.Instance(call.module, { wasi_snapshot_preview1: wasiImports(ctx) });
    const memory = instance.exports.memory;
    if (!(memory instanceof WebAssembly.Memory)) throw new InvalidModule('the module exports no memory');
    if (typeof instance.exports._start === 'function') throw new InvalidModule('the module is a WASI command (it exports _start), not a reactor');
    watchMemoryLimit(ctx, opts);
    try {
      ctx.mem.attach(memory);
      // A reactor's constructors run in _initialize, exactly once, before any other export.
      const init = instance.exports._initialize;
      if (typeof init === 'function') init();
      return { ...RETURNED, value: drive(instance.exports, call.input) };
    } catch (err) {
      // proc_exit(0) in the middle of a call is an exit without a value.
      return guestEnding(err);
    }
  }, nodeHostFs);
}
