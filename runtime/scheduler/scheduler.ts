// Run a plan's steps with up to `jobs` at once, inputs before dependents. A failed step stops
// only its dependents; without keepGoing no new step starts after a failure, but running ones
// finish (their outputs are good and the next build would otherwise redo them).
import { WpmError } from '../../util/index.js';
import type { EventSink } from './events.js';
import type { Plan, Step } from '../../derivations/index.js';

export interface StepBuilder {
  /** Build one step; resolves once every output is registered. */
  build(step: Step): Promise<void>;
}

export interface ScheduleOptions {
  /** Steps to run at once (-j). */
  jobs: number;
  /** Keep building independent steps after a failure. */
  keepGoing?: boolean;
  onEvent?: EventSink;
  /** Stops starting steps (Ctrl-C); running ones are stopped by whoever runs them. */
  signal?: AbortSignal;
}

export interface ScheduleResult {
  built: string[];
  failed: { drvPath: string; error: unknown }[];
  /** Steps not run because an input failed (or the build stopped). */
  skipped: string[];
}

export async function runPlan(plan: Plan, builder: StepBuilder, opts: ScheduleOptions): Promise<ScheduleResult> {
  const emit = opts.onEvent ?? (() => {});
  const byPath = new Map(plan.steps.map((s) => [s.drvPath, s]));
  const waitingOn = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const s of plan.steps) {
    waitingOn.set(s.drvPath, s.deps.length);
    for (const d of s.deps) dependents.set(d, [...(dependents.get(d) ?? []), s.drvPath]);
  }
  const ready: Step[] = plan.steps.filter((s) => s.deps.length === 0);
  const result: ScheduleResult = { built: [], failed: [], skipped: [] };
  const blocked = new Set<string>();
  let stopping = false;
  let running = 0;

  const block = (drvPath: string, cause: string) => {
    for (const dep of dependents.get(drvPath) ?? []) {
      if (blocked.has(dep)) continue;
      blocked.add(dep);
      result.skipped.push(dep);
      emit({ type: 'dependency-failed', drvPath: dep, name: byPath.get(dep)!.drv.name, failedInput: cause });
      block(dep, cause);
    }
  };

  await new Promise<void>((resolve) => {
    const pump = () => {
      if (opts.signal?.aborted) stopping = true;
      while (!stopping && running < opts.jobs && ready.length > 0) {
        const step = ready.shift()!;
        running++;
        builder.build(step).then(
          () => {
            result.built.push(step.drvPath);
            for (const dep of dependents.get(step.drvPath) ?? []) {
              const left = waitingOn.get(dep)! - 1;
              waitingOn.set(dep, left);
              if (left === 0 && !blocked.has(dep)) ready.push(byPath.get(dep)!);
            }
          },
          (error: unknown) => {
            result.failed.push({ drvPath: step.drvPath, error });
            block(step.drvPath, step.drvPath);
            if (!opts.keepGoing || (error instanceof WpmError && error.code === 'ERR_WASI_ABORTED')) stopping = true;
          },
        ).finally(() => {
          running--;
          pump();
        });
      }
      if (running === 0) resolve();
    };
    opts.signal?.addEventListener('abort', () => {
      stopping = true;
    });
    pump();
  });

  const finished = new Set([...result.built, ...result.failed.map((f) => f.drvPath), ...result.skipped]);
  for (const s of plan.steps) if (!finished.has(s.drvPath)) result.skipped.push(s.drvPath);
  return result;
}
