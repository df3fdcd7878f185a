// What a remote action carries and where (the input root's layout), shared by the client that
// makes the action and the step runner that executes it on a worker. The runner sees the same
// world as a local step: runtime/scheduler/local-builder.ts's runWasi builds the same options.

/** Files at the top of an action's input root. */
export const RUNNER_FILE = 'wpm-runner.mjs';
export const STEP_FILE = 'wpm-step.json';
export const STDIN_FILE = 'wpm-stdin';
/** The input closure lies under this directory of the input root, each store path by its base name. */
export const STORE_ROOT = 'wpm/store';
/** The one output directory the action declares: outputs/<name>, log, status.json. */
export const RESULT_DIR = 'wpm-result';

/** Version of the step description; bumped when the runner's contract changes (it is part of the action digest). */
export const STEP_FORMAT = 1;

export interface RemoteStepSpec {
  format: typeof STEP_FORMAT;
  drvPath: string;
  name: string;
  /** Store path of the builder's .wasm (a file, possibly inside a store path of the closure). */
  builder: string;
  args: string[];
  env: Record<string, string>;
  /** Output name → store path. */
  outputs: Record<string, string>;
  /** Every store path the step may see, each under STORE_ROOT. */
  inputs: string[];
  /** 32 bytes, hex: the step's random seed (the local builder's is sha256 of the .drv path). */
  seed: string;
  cwd: string;
  /** The WASI host's limits (runtime/wasi's WasiLimits), as the local builder computes them. */
  limits: { timeoutMs?: number; memoryBytes?: number; outputBytes?: number; logBytes?: number; silentMs?: number };
}

/** What the runner reports in RESULT_DIR/status.json. */
export type RunnerStatus =
  | { exitCode: number; durationMs: number }
  | { error: { code: string; message: string; hint?: string } };
