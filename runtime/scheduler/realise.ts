// From evaluated derivations (their `.drv` files already written) to valid outputs: plan, run.
import type { Derivation } from '../../derivations/index.js';
import type { LocalStore } from '../../store/index.js';
import type { WasiPool } from '../wasi/index.js';
import type { EventSink } from './events.js';
import { LocalBuilder, readDerivation } from './local-builder.js';
import { planBuild } from './plan.js';
import type { Substituter } from './substituter.js';
import { runPlan, type ScheduleResult } from './scheduler.js';

export interface RealiseOptions {
  jobs: number;
  keepGoing?: boolean;
  onEvent?: EventSink;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** builtin:fetch gives up after this long without data. */
  fetchTimeoutMs?: number;
  /** Output paths of targets, as evaluation reported them. */
  knownOutputs?: Map<string, string[]>;
  /** Build targets whose outputs are valid again and compare (reproducibility check). */
  check?: boolean;
  /** Binary caches to try before building. */
  substituter?: Substituter;
}

/**
 * Build or substitute what `targets` need. Their `.drv` files must be in the store already:
 * evaluation writes them (cli/evaluate.ts), and `derivations` only spares reading them back.
 */
export async function realise(
  store: LocalStore,
  pool: WasiPool,
  targets: string[],
  derivations: Map<string, Derivation>,
  opts: RealiseOptions,
): Promise<ScheduleResult & { cached: string[] }> {
  const knownOutputs = opts.knownOutputs ?? new Map<string, string[]>();
  const load = (p: string) => derivations.get(p) ?? readDerivation(store, p);
  const substituter = opts.substituter;
  const plan = await planBuild(
    targets,
    load,
    (p) => store.isValid(p) || (substituter ? substituter.substitute(p) : false),
    knownOutputs,
  );
  opts.onEvent?.({ type: 'plan', toBuild: plan.steps.length, cached: plan.cached.length });
  const builder = new LocalBuilder(store, pool, {
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.fetchTimeoutMs ? { fetchTimeoutMs: opts.fetchTimeoutMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  // --check: the targets whose outputs are valid are built again and compared. Their inputs are
  // valid, so they need nothing else and run alongside the steps still to build.
  const checks = opts.check ? plan.cached.map((drvPath) => ({ drvPath, drv: load(drvPath), deps: [] })) : [];
  const checking = new Set(checks);
  const checker = { build: (step: (typeof checks)[number]) => (checking.has(step) ? builder.check(step) : builder.build(step)) };
  const withChecks = { steps: [...plan.steps, ...checks], cached: opts.check ? [] : plan.cached };
  const result = await runPlan(withChecks, checker, {
    jobs: opts.jobs,
    ...(opts.keepGoing !== undefined ? { keepGoing: opts.keepGoing } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { ...result, cached: withChecks.cached };
}
