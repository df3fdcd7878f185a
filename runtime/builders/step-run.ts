// A WASI step's world as a run description: what the program is given (argv, environment, stdin
// with output placeholders replaced, random seed) and where (its input closure read-only under
// /wpm/store, its outputs, empty /build and /tmp, cwd /build), as ARCHITECTURE.md's "The
// guest's world" says. Pure, and free of node: modules: the CLI (wasi-program.ts) and the
// in-memory runner of a browser worker (in-memory/run-step.ts) both run exactly this.
import { canonicalJson } from '../../derivations/canonical-json.js';
import type { Derivation } from '../../derivations/derivation.js';
import { placeholder } from '../../derivations/placeholder.js';
import { hashBytes } from '../../store/format/hash.js';
import { STORE_DIR } from '../../store/format/store-path.js';
import type { Mount, WasiLimits, WasiRunOptions } from '../wasi/types.js';

/** What a step's program is given: argv, environment, stdin and random seed. A remote step is given the same (remote.ts). */
export interface StepWorld {
  args: string[];
  env: Record<string, string>;
  stdin: Uint8Array;
  seed: Uint8Array;
}

/** Where a step's files are on the host: the caller makes `work`/{build,tmp,store} (empty) first. */
export interface StepHostLayout {
  work: string;
  /** The host path of an input store path. */
  inputHost: (storePath: string) => string;
  /** Host path of each output by name: absent, its parent present. */
  outputs: Record<string, string>;
  /** stdout and stderr are appended to it. */
  logFile: string;
}

export function stepWorld(drvPath: string, drv: Derivation): StepWorld {
  const rewrite = placeholderRewriter(drv);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(drv.env)) env[k] = rewrite(v);
  for (const [name, o] of Object.entries(drv.outputs)) env[name] = o.path;
  env.TMPDIR = '/tmp';
  env.HOME = '/homeless';
  env.SOURCE_DATE_EPOCH = '1';
  return {
    args: drv.args.map(rewrite),
    env,
    stdin: drv.stdin === null ? new Uint8Array(0) : new TextEncoder().encode(rewrite(canonicalJson(drv.stdin))),
    seed: hashBytes('sha256', drvPath).digest,
  };
}

/** The run of a step: its world, its mounts over `layout`, its limits. */
export function stepRunOptions(drvPath: string, drv: Derivation, inputs: readonly string[], layout: StepHostLayout, limits: WasiLimits): WasiRunOptions {
  const { args, env, stdin, seed } = stepWorld(drvPath, drv);
  const mounts: Mount[] = [
    // The step's view of the store directory takes new entries, because tools such as wasm-ld
    // write a temporary file next to their output and rename it into place. Only the declared
    // outputs are kept; inputs inside it stay read-only.
    { guest: STORE_DIR, host: `${layout.work}/store`, writable: true },
    ...inputs.map((p) => ({ guest: p, host: layout.inputHost(p), writable: false })),
    { guest: '/build', host: `${layout.work}/build`, writable: true },
    { guest: '/tmp', host: `${layout.work}/tmp`, writable: true },
  ];
  return {
    args,
    env,
    stdin,
    mounts,
    outputs: Object.entries(drv.outputs).map(([name, o]) => ({ guest: o.path, host: layout.outputs[name]! })),
    cwd: '/build',
    seed,
    stdout: { file: layout.logFile },
    stderr: { file: layout.logFile },
    limits,
  };
}

/** Replaces each output's placeholder by the output's real path. */
function placeholderRewriter(drv: Derivation): (s: string) => string {
  const pairs = Object.entries(drv.outputs).map(([name, o]) => [placeholder(name), o.path] as const);
  return (s) => {
    let r = s;
    for (const [from, to] of pairs) if (r.includes(from)) r = r.split(from).join(to);
    return r;
  };
}
