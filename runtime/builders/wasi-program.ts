// The builder of every derivation whose builder is a store path: a WASI preview1 module or a WASI
// 0.2 component, run in the pool in the guest's hermetic world (ARCHITECTURE.md): its input
// closure read-only under /wpm/store, its outputs writable, empty /build and /tmp, the
// derivation's argv, environment and stdin with output placeholders replaced, randomness seeded
// by the derivation, stdout and stderr to the step's log.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError } from '../../util/index.js';
import type { Derivation } from '../../derivations/index.js';
import type { LocalStore } from '../../store/index.js';
import type { Builder, BuildStep, BuilderContext } from './builder.js';
import { inputFile } from './inputs.js';
import { explainLimit, wasiLimits } from './limits.js';
import { readBuilder, runnableFor, type Runnable } from './runnable.js';
import { stepRunOptions } from './step-run.js';

export { stepWorld, type StepWorld } from './step-run.js';

export class WasiProgramBuilder implements Builder {
  readonly request = null;
  /** Compiled builders by store path: steps starting together read and compile a builder once. */
  private readonly modules = new Map<string, Promise<Runnable>>();

  async build({ drvPath, drv, inputs, outputs, work, logFile }: BuildStep, ctx: BuilderContext): Promise<void> {
    for (const dir of ['build', 'tmp', 'store']) fs.mkdirSync(path.join(work, dir));
    const opts = stepRunOptions(drvPath, drv, inputs, { work, inputHost: (p) => ctx.store.toHost(p), outputs, logFile }, wasiLimits(ctx.limits));
    const module = await this.runnable(ctx.store, builderFile(drvPath, drv, inputs, ctx), drv.builder);
    const result = await ctx.pool.run(module, opts).catch((err: unknown) => {
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
