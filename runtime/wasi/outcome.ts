// How a guest's run ended, told to its caller: a result, or the error of the limit it broke.
import { WpmError } from '../../util/errors.js';
import type { HostOutcome } from './host.js';
import type { WasiResult, WasiRunOptions } from './types.js';
import type { ComponentRunnable } from './component/run.js';
import type { ReactorCall } from './reactor.js';

export const WASM32_MAX_BYTES = 4 * 1024 ** 3;
const MiB = 1024 * 1024;

export function fmtMiB(bytes: number): string {
  return `${Math.round((bytes / MiB) * 10) / 10} MiB`;
}

export function memoryLimitError(limit: number, detail: string): WpmError {
  return new WpmError('ERR_WASI_MEMORY_LIMIT', `the guest exceeded the memory limit of ${fmtMiB(limit)}: ${detail}`, {
    hint: 'raise limits.memoryBytes (at most 4 GiB for wasm32)',
  });
}

/**
 * What a run's outcome means for its caller: the result, or the WpmError of the limit it broke or
 * the trap that ended it. The pool and the in-memory runner (runtime/builders/in-memory) share it.
 */
export function runResult(out: HostOutcome, opts: WasiRunOptions): WasiResult {
  const limits = opts.limits ?? {};
  if (out.logLimitHit) {
    throw new WpmError('ERR_WASI_LOG_LIMIT', `the guest wrote more than the log limit of ${limits.logBytes} bytes`, {
      hint: 'raise limits.logBytes if the log is meant to be this long',
    });
  }
  if (out.outputLimitHit) {
    throw new WpmError('ERR_WASI_OUTPUT_LIMIT', `the guest wrote more than the output limit of ${limits.outputBytes} bytes`, {
      hint: 'raise limits.outputBytes if the outputs are meant to be this large',
    });
  }
  const memLimit = limits.memoryBytes ?? WASM32_MAX_BYTES;
  if (out.memoryLimitHit) {
    throw memoryLimitError(memLimit, `its memory grew to ${fmtMiB(out.memoryBytes)}`);
  }
  const failed = out.trap !== null || out.exitCode !== 0;
  // A failed allocation is invisible to the host (memory.grow just returns -1), so a guest
  // that fails while its memory is at least half the limit is taken to have run out.
  if (failed && out.memoryBytes * 2 >= memLimit) {
    const how = out.trap ? `then trapped (${out.trap.kind})` : `then exited with ${out.exitCode}`;
    throw memoryLimitError(memLimit, `its memory reached ${fmtMiB(out.memoryBytes)} and it ${how}`);
  }
  if (out.trap !== null) {
    const where = out.trap.func ? ` in ${out.trap.func}` : '';
    throw new WpmError('ERR_WASI_TRAP', `wasm trap: ${out.trap.kind}${where} (${opts.args[0] ?? 'guest'})`);
  }
  return { exitCode: out.exitCode!, durationMs: out.durationMs, ...('value' in out ? { value: out.value } : {}) };
}

/**
 * The error of a run that failed in the host rather than ending (a worker's failure message, or
 * what runGuest threw in this thread). A module V8 or the host refused is the guest's fault:
 * functions are validated when first called (module.ts), so an invalid body surfaces during the run.
 */
export function hostFailure(failure: { name?: string; message: string; stack?: string }, module: WebAssembly.Module | ComponentRunnable | ReactorCall): WpmError {
  const invalid = ['LinkError', 'CompileError', 'InvalidModule'].includes(failure.name ?? '');
  const what = module instanceof WebAssembly.Module ? 'WASI preview1 command' : module.kind === 'reactor' ? 'WASI preview1 reactor' : 'WASI 0.2 command component';
  const e = invalid
    ? new WpmError('ERR_WASI_INVALID_MODULE', `not a runnable ${what}: ${failure.message}`)
    : new WpmError('ERR_WASI_HOST', `the WASI host failed: ${failure.message}`);
  if (failure.stack) e.stack = failure.stack;
  return e;
}
