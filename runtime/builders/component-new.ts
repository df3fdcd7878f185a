// builtin:component-new — a WASI preview1 core module wrapped as a WASI 0.2 component by
// wasm-tools' own WebAssembly, run in the pool (component-new/step.ts). It checks its stdin when
// it runs: every path must be a file of the step's input closure, which only the step knows.
import { hashBytes } from '../../store/index.js';
import type { Builder } from './builder.js';
import { explainLimit, wasiLimits } from './limits.js';

export const componentNewBuiltin: Builder = {
  request: null,

  async build({ drvPath, drv, inputs, outputs, logFile }, ctx) {
    const { componentNewStep } = await import('./component-new/step.js');
    await componentNewStep({
      stdin: drv.stdin,
      inputs,
      toHost: (p) => ctx.store.toHost(p),
      dest: outputs.out!,
      pool: ctx.pool,
      seed: hashBytes('sha256', drvPath).digest,
      logFile,
      limits: wasiLimits(ctx.limits),
      where: `component-new '${drv.name}' (${drvPath})`,
    }).catch((err: unknown) => {
      throw explainLimit(err, `component-new '${drv.name}' (${drvPath})`, ctx.limits);
    });
  },
};
