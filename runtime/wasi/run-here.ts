// A preview1 command run in the calling thread rather than in a pool's worker: what `wpm run` does
// with a small program, whose whole run is shorter than Node's start of a worker thread (40–60 ms
// of bootstrap before the host's script even loads). The guest gets this thread's stack: on
// Node's main thread V8's default of about 1 MB, some 13,800 frames of a small C function
// (wasmtime's default is 512 KiB), where a pool worker has 256 MB. Nothing in this thread could
// stop a running guest, so a run here has no time or silence limit.
import { WpmError } from '../../util/errors.js';
import { runGuest, type HostOutcome } from './host.js';
import { withMemoryLimit } from './module.js';
import { nodeHostFs } from './node-host-fs.js';
import { hostFailure, runResult } from './outcome.js';
import { STACK_EXHAUSTED } from './trap.js';
import type { WasiResult, WasiRunOptions } from './types.js';

/** Errors and results are the pool's; `stackHint` is added to a trap on an exhausted stack. */
export async function runInThisThread(module: WebAssembly.Module, opts: WasiRunOptions, stackHint?: string): Promise<WasiResult> {
  if (opts.limits?.timeoutMs !== undefined || opts.limits?.silentMs !== undefined) {
    throw new Error('runInThisThread: time and silence limits need a pool worker');
  }
  let out: HostOutcome;
  try {
    out = await runGuest(withMemoryLimit(module, opts), opts, nodeHostFs);
  } catch (err) {
    const e = err as Error;
    throw hostFailure({ name: e?.name, message: e?.message ?? String(err), stack: e?.stack }, module);
  }
  try {
    return runResult(out, opts);
  } catch (err) {
    if (stackHint !== undefined && out.trap?.kind === STACK_EXHAUSTED && err instanceof WpmError) {
      throw new WpmError(err.code, err.message, { hint: stackHint });
    }
    throw err;
  }
}
