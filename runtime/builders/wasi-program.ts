// The builder of every derivation whose builder is a store path: a WASI preview1 module or a WASI
// 0.2 component, run in the pool in the guest's hermetic world (ARCHITECTURE.md): its input
// closure read-only under /wpm/store, its outputs writable, empty /build and /tmp, the
// derivation's argv, environment and stdin with output placeholders replaced, randomness seeded
// by the derivation, stdout and stderr to the step's log.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError } from '../../util/index.js';
import { canonicalJson, placeholder, type Derivation } from '../../derivations/index.js';
import { STORE_DIR, hashBytes, type LocalStore } from '../../store/index.js';
import type { Mount } from '../wasi/index.js';
import type { Builder, BuildStep, BuilderContext } from './builder.js';
import { inputFile } from './inputs.js';
import { explainLimit, wasiLimits } from './limits.js';
import { readBuilder, runnableFor, type Runnable } from './runnable.js';

export class WasiProgramBuilder implements Builder {
  readonly request = null;
  /** Compiled builders by store path: steps starting together read and compile a builder once. */
  private readonly modules = new Map<string, Promise<Runnable>>();

  async build({ drvPath, drv, inputs, outputs, work, logFile }: BuildStep, ctx: BuilderContext): Promise<void> {
    const { args, env, stdin, seed } = stepWorld(drvPath, drv);
    for (const dir of ['build', 'tmp', 'store']) fs.mkdirSync(path.join(work, dir));
    const mounts: Mount[] = [
      // The step's view of the store directory takes new entries, because tools such as wasm-ld
      // write a temporary file next to their output and rename it into place. Only the declared
      // outputs are kept; inputs inside it stay read-only.
      { guest: STORE_DIR, host: path.join(work, 'store'), writable: true },
      ...inputs.map((p) => ({ guest: p, host: ctx.store.toHost(p), writable: false })),
      { guest: '/build', host: path.join(work, 'build'), writable: true },
      { guest: '/tmp', host: path.join(work, 'tmp'), writable: true },
    ];
    const module = await this.runnable(ctx.store, builderFile(drvPath, drv, inputs, ctx), drv.builder);
    const result = await ctx.pool.run(module, {
      args,
      env,
      stdin,
      mounts,
      outputs: Object.entries(drv.outputs).map(([name, o]) => ({ guest: o.path, host: outputs[name]! })),
      cwd: '/build',
      seed,
      stdout: { file: logFile },
      stderr: { file: logFile },
      limits: wasiLimits(ctx.limits),
    }).catch((err: unknown) => {
      throw explainLimit(err, `'${drv.name}' (${drvPath})`, ctx.limits);
    });
    if (result.exitCode !== 0) {
      throw new WpmError('ERR_BUILD_FAILED', `builder for '${drv.name}' (${drvPath}) exited with status ${result.exitCode}`);
    }
  }

  /** The builder (its host file) as a pool runnable: a core module, or a WASI 0.2 component (by content). */
  private runnable(store: LocalStore, file: string, builder: string): Promise<Runnable> {
    let m = this.modules.get(builder);
    if (!m) {
      m = (async () => runnableFor(store, readBuilder(file, builder), `builder ${builder}`))();
      m.catch(() => this.modules.delete(builder));
      this.modules.set(builder, m);
    }
    return m;
  }
}

/** The host file of a step's builder, opened only through its input closure (inputs.ts). */
export function builderFile(drvPath: string, drv: Derivation, inputs: readonly string[], ctx: BuilderContext): string {
  return inputFile({ ref: drv.builder, field: 'builder', where: `'${drv.name}' (${drvPath})`, inputs, toHost: (p) => ctx.store.toHost(p) });
}

/** What a step's program is given: argv, environment, stdin and random seed (ARCHITECTURE.md, "The guest's world"). A remote step is given the same (remote.ts). */
export interface StepWorld {
  args: string[];
  env: Record<string, string>;
  stdin: Uint8Array;
  seed: Uint8Array;
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

/** Replaces each output's placeholder by the output's real path. */
function placeholderRewriter(drv: Derivation): (s: string) => string {
  const pairs = Object.entries(drv.outputs).map(([name, o]) => [placeholder(name), o.path] as const);
  return (s) => {
    let r = s;
    for (const [from, to] of pairs) if (r.includes(from)) r = r.split(from).join(to);
    return r;
  };
}
