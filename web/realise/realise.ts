// Building a target in the tab: its `.drv` closure is planned against the tab's store and the
// binary cache (web/loop's planInTab, the CLI's walk), what the cache has is substituted with the
// CLI's trust checks, and the remaining WASI steps run in dependency order on a pool of step
// workers, each given the NARs of its input closure from the tab's store and its builder. Each
// output is registered in the tab's store (web/store) as the CLI registers a build output
// (path-infos.ts): its info written last, so a step cut short leaves nothing valid.
// DOM types for these browser APIs, whichever tsconfig compiles this file.
/// <reference lib="dom" />
import { WpmError } from '../../util/errors.js';
import type { ErrorCode } from '../../util/error-codes.js';
import type { Derivation } from '../../derivations/derivation.js';
import { inputClosure, planInTab, type TabPlan, type TabStep } from '../loop/tab-plan.js';
import type { DrvClosure } from '../loop/drv-closure.js';
import type { BrowserStore, PathInfo } from '../store/opfs-store.js';
import { cacheHas, ensureValid, narBytes, type CacheOptions } from './cache-access.js';
import { fileInNar, splitStoreFile } from './nar-file.js';
import { builtOutputInfo } from './path-infos.js';
import type { StepPool } from './step-pool.js';
import { DEFAULT_LOG_BYTES, DEFAULT_OUTPUT_BYTES, explainLimit, wasiLimits, type StepLimits } from '../../runtime/builders/limits.js';

export type StepState = 'waiting' | 'running' | 'done' | 'failed';

export type RealiseEvent =
  | { type: 'planned'; steps: { drvPath: string; name: string; deps: string[] }[]; substitute: string[] }
  | { type: 'substituted'; path: string; narSize: number }
  | { type: 'step'; drvPath: string; name: string; state: StepState; ms?: number; hostMs?: number; message?: string }
  | { type: 'log'; drvPath: string; text: string };

export interface RealiseOptions {
  store: BrowserStore;
  pool: StepPool;
  /** Where missing paths come from; without it (or offline) the tab's store must suffice. */
  cache?: CacheOptions;
  onEvent?: (e: RealiseEvent) => void;
  /**
   * Limits of every step, as the CLI's settings give them (default: the CLI's defaults, no time
   * limit). A derivation's own limits are not in its .drv file, so they do not reach the tab, as
   * they do not reach `wpm build X.drv`. The silence limit needs a log that streams; the tab's
   * arrives when the step ends, so it is not kept here.
   */
  limits?: StepLimits;
}

export interface RealiseResult {
  plan: TabPlan;
  /** The target's outputs' infos, by output name. */
  outputs: Record<string, PathInfo>;
}

export async function realise(closure: DrvClosure, opts: RealiseOptions): Promise<RealiseResult> {
  const { store, cache } = opts;
  const emit = opts.onEvent ?? (() => undefined);
  const plan = await planInTab(closure, {
    isValid: async (p) => (await store.queryPathInfo(p)) !== undefined,
    hasSubstitute: (p) => cacheHas(cache, p),
  });
  emit({ type: 'planned', steps: plan.steps.map((s) => ({ drvPath: s.drvPath, name: s.drv.name, deps: s.deps })), substitute: plan.substitute });
  for (const s of plan.steps) emit({ type: 'step', drvPath: s.drvPath, name: s.drv.name, state: 'waiting' });
  await ensureValid(store, plan.substitute, cache, (e) => {
    if (e.type === 'substituted') emit({ type: 'substituted', path: e.path, narSize: e.narSize });
  });
  await runSteps(plan.steps, opts, emit);
  const outputs: Record<string, PathInfo> = {};
  for (const [name, p] of Object.entries(plan.outputs)) {
    const info = await store.queryPathInfo(p);
    if (!info) throw new WpmError('ERR_STORE_NOT_VALID', `${p} (output '${name}' of ${closure.target}) is not valid after the build`);
    outputs[name] = info;
  }
  return { plan, outputs };
}

/** Runs the steps, each once the steps it depends on are done, as many at once as the pool has workers. */
async function runSteps(steps: TabStep[], opts: RealiseOptions, emit: (e: RealiseEvent) => void): Promise<void> {
  const pending = new Map(steps.map((s) => [s.drvPath, s]));
  const done = new Set<string>();
  const running = new Map<string, Promise<void>>();
  // NARs are read from the store once per build, when a worker first needs them, and shared by the
  // steps (they are immutable).
  const nars = new Map<string, Promise<Uint8Array>>();
  const nar = (p: string) => {
    let n = nars.get(p);
    if (!n) nars.set(p, (n = narBytes(opts.store, p)));
    return n;
  };
  let failure: unknown;
  while ((pending.size > 0 && failure === undefined) || running.size > 0) {
    if (failure === undefined) {
      for (const step of [...pending.values()]) {
        if (running.size >= opts.pool.size) break;
        if (!step.deps.every((d) => done.has(d))) continue;
        pending.delete(step.drvPath);
        const run = runStep(step, opts, nar, emit).then(
          () => void done.add(step.drvPath),
          (err: unknown) => void (failure ??= err),
        );
        running.set(step.drvPath, run.finally(() => running.delete(step.drvPath)));
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  if (failure !== undefined) throw failure;
  if (pending.size > 0) throw new WpmError('ERR_BUILD_FAILED', `steps could not start, their inputs never built: ${[...pending.keys()].join(', ')}`);
}

async function runStep(step: TabStep, opts: RealiseOptions, nar: (p: string) => Promise<Uint8Array>, emit: (e: RealiseEvent) => void): Promise<void> {
  const { drvPath, drv } = step;
  const name = drv.name;
  const started = performance.now();
  emit({ type: 'step', drvPath, name, state: 'running' });
  try {
    refuseFixedOutput(drvPath, drv);
    const closure = await inputClosure(step.inputRoots, async (p) => {
      const info = await opts.store.queryPathInfo(p);
      if (!info) throw new WpmError('ERR_STORE_NOT_VALID', `${p}, an input of ${drvPath}, is not valid in the browser's store`);
      return info.references;
    });
    const builder = async () => {
      const { storePath, relPath } = splitStoreFile(drv.builder);
      if (!closure.includes(storePath)) throw new WpmError('ERR_DRV_BAD_BUILDER', `${drvPath}: its builder ${drv.builder} is not in its input closure`);
      return fileInNar(await nar(storePath), relPath, storePath);
    };
    const limits: StepLimits = { logBytes: DEFAULT_LOG_BYTES, outputBytes: DEFAULT_OUTPUT_BYTES, ...opts.limits, silentMs: undefined };
    const where = `'${name}' (${drvPath})`;
    const reply = await opts.pool.run({ drvPath, drv, builder, inputs: closure, nar, limits: wasiLimits(limits) }).catch((err: unknown) => {
      throw explainLimit(err, where, limits);
    });
    if ('error' in reply) {
      // A limit the host kept (log, output) is told as the CLI tells it; other failures as failures.
      if (reply.error.code) {
        const err = new WpmError(reply.error.code as ErrorCode, reply.error.message);
        const explained = explainLimit(err, where, limits);
        if (explained !== err) throw explained;
      }
      throw new WpmError('ERR_BUILD_FAILED', `builder for ${where} failed: ${reply.error.message}`);
    }
    const log = new TextDecoder().decode(reply.log);
    emit({ type: 'log', drvPath, text: log });
    if (reply.exitCode !== 0) {
      throw new WpmError('ERR_BUILD_FAILED', `builder for '${name}' (${drvPath}) exited with status ${reply.exitCode}`, { hint: lastLines(log) });
    }
    const candidates = [...closure, ...Object.values(drv.outputs).map((o) => o.path)];
    const infos = Object.entries(drv.outputs).map(([out, o]) => {
      const got = reply.outputs[out];
      if (!got) throw new WpmError('ERR_BUILD_NO_OUTPUT', `builder for '${name}' (${drvPath}) did not create its output '${out}' (${o.path})`);
      return { info: builtOutputInfo({ storePath: o.path, nar: got.nar, narHash: got.narHash, drvPath, candidates }), nar: got.nar };
    });
    for (const { info, nar: bytes } of infos) await opts.store.addPath(info, bytes);
    // ms: the whole step in the tab (inputs read and posted, builder compiled if new, the run, outputs
    // registered); hostMs: the builder's run in the worker alone.
    emit({ type: 'step', drvPath, name, state: 'done', ms: Math.round(performance.now() - started), hostMs: Math.round(reply.durationMs) });
  } catch (err) {
    emit({ type: 'step', drvPath, name, state: 'failed', ms: Math.round(performance.now() - started), message: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}

/** A fixed-output step's output must be checked against its declared hash, which the tab does not do yet. */
function refuseFixedOutput(drvPath: string, drv: Derivation): void {
  const fixed = Object.values(drv.outputs).find((o) => o.hash);
  if (fixed) {
    throw new WpmError('ERR_WEB_NOT_SUBSTITUTABLE', `${drvPath} is a fixed-output step (${fixed.path}): the tab takes such paths from a binary cache only`, {
      hint: `\`wpm build\` it and \`wpm copy --to <cache> ${fixed.path}\``,
    });
  }
}

function lastLines(log: string): string {
  return log.trimEnd().split('\n').slice(-20).join('\n');
}
