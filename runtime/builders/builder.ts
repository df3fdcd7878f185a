// The Builder interface: a step in, its outputs written to host paths out. How a step's outputs
// are checked and registered, its lock, its scratch directory and `--check` belong to the
// scheduler's LocalBuilder; a builder only makes the outputs. One file per builder: the WASI
// program (wasi-program.ts) and each host builtin, listed in table.ts; a remote builder fits the
// same interface.
import { checkBuiltinRequest, type BuiltinRequest, type Derivation } from '../../derivations/index.js';
import { WpmError, isWpmError } from '../../util/index.js';
import type { LocalStore } from '../../store/index.js';
import type { WasiPool } from '../wasi/index.js';
import type { StepLimits } from './limits.js';

/** One step, as a builder sees it. */
export interface BuildStep {
  drvPath: string;
  drv: Derivation;
  /** Every store path the step may read: the closure of its sources and input outputs. */
  inputs: readonly string[];
  /** Host path to write each output at (by output name); none exists yet. */
  outputs: Record<string, string>;
  /** An empty scratch directory of the step's own (host path), deleted after the step. */
  work: string;
  /** The step's log (host path, empty): a program's stdout and stderr go here. */
  logFile: string;
}

/** What a builder may use besides the step. */
export interface BuilderContext {
  /** The store, for reading inputs (toHost) and for caches of its own (transpiled components). */
  store: LocalStore;
  /** Where WebAssembly runs. */
  pool: WasiPool;
  limits: StepLimits;
  /** Ctrl-C: stop, and throw ERR_INTERRUPTED or ERR_WASI_ABORTED. */
  signal?: AbortSignal | undefined;
}

export interface Builder {
  /**
   * What a builtin takes on stdin, checked when a derivation naming it is made (evaluation) and
   * again before it runs; null when the builder checks everything itself when it runs.
   */
  readonly request: BuiltinRequest | null;
  /** Make every output of the step, or throw (a WpmError naming the step). */
  build(step: BuildStep, ctx: BuilderContext): Promise<void>;
}

/**
 * A builtin's check of its request before it runs, as at evaluation: a `.drv` file need not have
 * come from wpm's evaluator. A refusal fails the step (ERR_BUILD_BAD_INPUT), naming the field.
 */
export function checkRequestBeforeBuild(builder: Builder, drv: Derivation, where: string): void {
  if (!builder.request) return;
  try {
    checkBuiltinRequest({ [drv.builder]: builder.request }, { where, builder: drv.builder, stdin: drv.stdin, outputs: Object.keys(drv.outputs), fixedOutput: drv.outputs.out?.hash !== undefined });
  } catch (cause) {
    if (!isWpmError(cause)) throw cause;
    throw new WpmError('ERR_BUILD_BAD_INPUT', cause.message, { cause, hint: cause.hint });
  }
}
