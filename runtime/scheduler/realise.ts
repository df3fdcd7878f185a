// From evaluated derivations (their `.drv` files already written) to valid outputs: plan, run.
import { planBuild, type Derivation, type DrvLimits } from '../../derivations/index.js';
import { sweepStaleLocks, type LocalStore } from '../../store/index.js';
import { WasiPool } from '../wasi/index.js';
import type { Builder, BuiltinTable, StepLimits } from '../builders/index.js';
import { LocalBuilder, readDerivation } from './local-builder.js';
import type { Substituter } from './substituter.js';
import { runPlan, type ScheduleOptions, type ScheduleResult } from './scheduler.js';

export interface RealiseOptions extends ScheduleOptions {
  /** Limits of every step (timeouts). */
  limits?: StepLimits;
  /** The host builtins (default: runtime/builders' table). */
  builtins?: BuiltinTable;
  /** Derivations' own step limits by `.drv` path (evaluation's; not in the .drv files). */
  drvLimits?: ReadonlyMap<string, DrvLimits>;
  /** Output paths of targets, as evaluation reported them. */
  knownOutputs?: Map<string, string[]>;
  /** Build targets whose outputs are valid again and compare (reproducibility check). */
  check?: boolean;
  /** Binary caches to try before building. */
  substituter?: Substituter;
  /** The builder of steps whose builder is a store path (a RemoteBuilder, runtime/builders/remote.ts); default the WASI program builder. */
  program?: Builder | undefined;
  /** Steps that may run at once beyond `jobs` because they run elsewhere (--remote-jobs): the WASI pool stays at `jobs`. */
  extraJobs?: number | undefined;
}

/**
 * Build or substitute what `targets` need, running up to `jobs` steps at once in a WASI pool of
 * that size. Their `.drv` files must be in the store already: evaluation writes them
 * (glue/evaluate.ts), and `derivations` only spares reading them back. Aborting `signal` stops
 * the running steps at once (nothing of them is registered).
 */
export async function realise(
  store: LocalStore,
  targets: string[],
  derivations: Map<string, Derivation>,
  opts: RealiseOptions,
): Promise<ScheduleResult & { cached: string[] }> {
  // Locks a killed wpm left behind would otherwise wait for the next process that wants them.
  sweepStaleLocks(store.layout.locks);
  const knownOutputs = opts.knownOutputs ?? new Map<string, string[]>();
  const load = (p: string) => derivations.get(p) ?? readDerivation(store, p);
  const substituter = opts.substituter;
  const plan = await planBuild(
    targets,
    load,
    (p) => store.isValid(p) || (substituter ? substituter.substitute(p, { signal: opts.signal }) : false),
    knownOutputs,
  );
  opts.onEvent?.({ type: 'plan', toBuild: plan.steps.length, cached: plan.cached.length });
  const pool = new WasiPool({ size: opts.jobs });
  const stopSteps = () => pool.abortAll();
  opts.signal?.addEventListener('abort', stopSteps);
  try {
    const builder = new LocalBuilder(store, pool, { onEvent: opts.onEvent, signal: opts.signal, limits: opts.limits, builtins: opts.builtins, drvLimits: opts.drvLimits, program: opts.program });
    // --check: the targets whose outputs are valid are built again and compared. Their inputs are
    // valid, so they need nothing else and run alongside the steps still to build.
    const checks = opts.check ? plan.cached.map((drvPath) => ({ drvPath, drv: load(drvPath), deps: [] })) : [];
    const checking = new Set(checks);
    const checker = { build: (step: (typeof checks)[number]) => (checking.has(step) ? builder.check(step) : builder.build(step)) };
    const withChecks = { steps: [...plan.steps, ...checks], cached: opts.check ? [] : plan.cached };
    const result = await runPlan(withChecks, checker, { ...opts, jobs: opts.jobs + (opts.extraJobs ?? 0) });
    return { ...result, cached: withChecks.cached };
  } finally {
    opts.signal?.removeEventListener('abort', stopSteps);
    await pool.close();
  }
}
