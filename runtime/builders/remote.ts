// The remote builder: a step whose builder is a WASI core module runs on a Remote Execution API
// cluster (remote/executor.ts) with the same argv, environment, stdin, seed and limits as the
// WASI program builder gives it here (stepWorld), so the outputs are the same bytes. It writes
// the outputs where any builder does; the scheduler's LocalBuilder NAR-hashes, scans and
// registers them. Builtins, components, and steps the server cannot take run locally.
import fs from 'node:fs';
import path from 'node:path';
import type { Builder, BuildStep, BuilderContext } from './builder.js';
import { stepWorld } from './step-run.js';
import { WasiProgramBuilder, builderFile } from './wasi-program.js';
import { explainLimit, wasiLimits } from './limits.js';
import type { RemoteExecutor, RemoteStepRequest } from './remote/executor.js';

export class RemoteBuilder implements Builder {
  readonly request = null;

  constructor(
    readonly executor: RemoteExecutor,
    /** What runs a step here instead: the WASI program builder. */
    private readonly local: Builder = new WasiProgramBuilder(),
  ) {}

  async build(step: BuildStep, ctx: BuilderContext): Promise<void> {
    const { drvPath, drv } = step;
    // A builder that is not a file of the step's inputs fails in the local builder, with its message.
    let file: string;
    try {
      file = builderFile(drvPath, drv, step.inputs, ctx);
    } catch {
      return this.local.build(step, ctx);
    }
    if (!this.executor.handles(file)) return this.local.build(step, ctx);
    const world = stepWorld(drvPath, drv);
    const remoteWork = path.join(step.work, 'remote');
    fs.mkdirSync(remoteWork);
    const req: RemoteStepRequest = {
      drvPath,
      name: drv.name,
      builder: drv.builder,
      ...world,
      outputs: Object.fromEntries(Object.entries(drv.outputs).map(([n, o]) => [n, o.path])),
      inputs: [...step.inputs],
      limits: wasiLimits(ctx.limits),
      toHost: (p) => ctx.store.toHost(p),
      outHost: step.outputs,
      logFile: step.logFile,
      work: remoteWork,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    };
    try {
      // A limit the runner enforced on the worker is told as a local one is: the setting to raise.
      if ((await this.executor.build(req).catch((err: unknown) => { throw explainLimit(err, `'${drv.name}' (${drvPath})`, ctx.limits); })) === 'built') return;
    } finally {
      fs.rmSync(remoteWork, { recursive: true, force: true });
    }
    fs.writeFileSync(step.logFile, '');
    await this.local.build(step, ctx);
    if (this.executor.uploadsLocal) await this.executor.uploadLocal(req);
  }
}
