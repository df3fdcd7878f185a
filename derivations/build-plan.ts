// Which steps a build needs: walk down from the targets, stopping at derivations whose outputs
// are all valid already (their inputs are not needed either, as in Nix).
// Pure (no I/O of its own): the CLI's scheduler and the browser tab's build loop share it.
import { WpmError } from '../util/errors.js';
import type { Derivation } from './derivation.js';

export interface Step {
  drvPath: string;
  drv: Derivation;
  /** Steps (by .drv path) that must finish first. */
  deps: string[];
}

export interface Plan {
  /** Steps to run, in a topological order (inputs first). */
  steps: Step[];
  /** Targets whose outputs were already valid. */
  cached: string[];
}

/**
 * `isValid` may be asynchronous: with a substituter it tries the binary caches, so a step whose
 * outputs can be downloaded is not built, and neither are its inputs.
 */
export async function planBuild(
  targets: string[],
  load: (drvPath: string) => Derivation,
  isValid: (storePath: string) => boolean | Promise<boolean>,
  /** Output paths already known for some targets (from evaluation): a no-op need not read their .drv files. */
  knownOutputs: Map<string, string[]> = new Map(),
): Promise<Plan> {
  const steps: Step[] = [];
  const cached: string[] = [];
  const state = new Map<string, 'visiting' | 'done' | 'valid'>();

  const visit = async (drvPath: string, chain: string[]): Promise<boolean> => {
    const seen = state.get(drvPath);
    if (seen === 'visiting') {
      // Only hand-made .drv files can do this: a derivation's path hashes its inputs' paths.
      const loop = [...chain.slice(chain.indexOf(drvPath)), drvPath];
      throw new WpmError('ERR_DRV_CYCLE', `dependency cycle: ${loop.join(' -> ')}`, {
        hint: 'each of these derivations needs the next; remove one of the inputs',
      });
    }
    if (seen === 'valid') return false;
    if (seen === 'done') return true;
    const drv = load(drvPath);
    let allValid = true;
    for (const o of Object.values(drv.outputs)) {
      if (!(await isValid(o.path))) {
        allValid = false;
        break;
      }
    }
    if (allValid) {
      state.set(drvPath, 'valid');
      return false;
    }
    state.set(drvPath, 'visiting');
    const deps: string[] = [];
    for (const input of Object.keys(drv.inputDrvs)) {
      if (await visit(input, [...chain, drvPath])) deps.push(input);
    }
    state.set(drvPath, 'done');
    steps.push({ drvPath, drv, deps });
    return true;
  };

  for (const t of targets) {
    const known = knownOutputs.get(t);
    if (known && known.every((p) => isValid(p) === true)) {
      state.set(t, 'valid');
      cached.push(t);
      continue;
    }
    if (!(await visit(t, []))) cached.push(t);
  }
  return { steps, cached };
}
