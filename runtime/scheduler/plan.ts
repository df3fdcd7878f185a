// Which steps a build needs: walk down from the targets, stopping at derivations whose outputs
// are all valid already (their inputs are not needed either, as in Nix).
import type { Derivation } from '../../derivations/index.js';

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

export function planBuild(
  targets: string[],
  load: (drvPath: string) => Derivation,
  isValid: (storePath: string) => boolean,
): Plan {
  const steps: Step[] = [];
  const cached: string[] = [];
  const state = new Map<string, 'visiting' | 'done' | 'valid'>();

  const visit = (drvPath: string, chain: string[]): boolean => {
    const seen = state.get(drvPath);
    if (seen === 'visiting') {
      throw new Error(`dependency cycle: ${[...chain, drvPath].join(' -> ')}`);
    }
    if (seen === 'valid') return false;
    if (seen === 'done') return true;
    const drv = load(drvPath);
    if (Object.values(drv.outputs).every((o) => isValid(o.path))) {
      state.set(drvPath, 'valid');
      return false;
    }
    state.set(drvPath, 'visiting');
    const deps: string[] = [];
    for (const input of Object.keys(drv.inputDrvs)) {
      if (visit(input, [...chain, drvPath])) deps.push(input);
    }
    state.set(drvPath, 'done');
    steps.push({ drvPath, drv, deps });
    return true;
  };

  for (const t of targets) {
    if (!visit(t, [])) cached.push(t);
  }
  return { steps, cached };
}
