// Evaluate a file and build what it asks for: what `wpm build` and `wpm run FILE` do, without
// their command lines. A failed step becomes one error naming it, with the way to its log.
import fs from 'node:fs';
import { WpmError } from '../util/index.js';
import { logFileOf, realise, type RealiseOptions } from '../runtime/scheduler/index.js';
import type { LocalStore } from '../store/index.js';
import { evaluateFile, type EvalTarget, type Evaluated, type EvaluateOptions, type Target } from './evaluate.js';

export interface BuildFileOptions {
  evaluation: EvaluateOptions;
  realisation: Omit<RealiseOptions, 'knownOutputs' | 'drvLimits'>;
  /** Told what evaluation found before anything is built: a last chance to refuse (a result link that cannot be made). */
  beforeBuilding?: (evaluated: Evaluated) => void;
}

/** Evaluate and build; returns the built targets, or throws ERR_BUILD_FAILED naming the first failed step. */
export async function buildFile(store: LocalStore, target: EvalTarget, opts: BuildFileOptions): Promise<Target[]> {
  const evaluated = await evaluateFile(store, target, opts.evaluation);
  opts.beforeBuilding?.(evaluated);
  const result = await realise(store, evaluated.targets.map((t) => t.drvPath), evaluated.derivations, {
    ...opts.realisation,
    knownOutputs: new Map(evaluated.targets.map((t) => [t.drvPath, Object.values(t.outputs)])),
    drvLimits: evaluated.drvLimits,
  });
  if (result.failed.length > 0) {
    const first = result.failed[0]!;
    const err = first.error instanceof WpmError ? first.error : new WpmError('ERR_BUILD_FAILED', String(first.error));
    const others = result.failed.length - 1;
    const more = others > 0 ? ` (and ${others} more failed step${others === 1 ? '' : 's'})` : '';
    // Whatever went wrong inside a step, the command's verdict is "a build step failed".
    const hasLog = (fs.statSync(logFileOf(store.layout, first.drvPath), { throwIfNoEntry: false })?.size ?? 0) > 0;
    throw new WpmError('ERR_BUILD_FAILED', `${err.message}${more}`, {
      cause: err,
      ...(err.hint ? { hint: err.hint } : hasLog ? { hint: `the full log: wpm log ${first.drvPath}` } : {}),
    });
  }
  return evaluated.targets;
}
