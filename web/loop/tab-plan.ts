// What the tab does for a target: which outputs it has already, which it fetches from the binary
// cache, which steps it runs. The walk is the CLI's own (planBuild); only the tab's limits are
// added: it runs WASI programs alone, so every builtin step (the toolchain's download and
// unpacking) must come from the cache.
// Files, not the folders' indexes: those of util/, store/format/ and derivations/ reach Node's
// modules (dist-dir.ts, signature.ts's ed25519, the Jsonnet evaluator), and this runs in a tab.
import { WpmError } from '../../util/errors.js';
import { planBuild } from '../../derivations/build-plan.js';
import { isBuiltin } from '../../derivations/builtin-request.js';
import type { Derivation } from '../../derivations/derivation.js';
import type { DrvClosure } from './drv-closure.js';

export interface TabStores {
  /** Is the path valid in the tab's own store? */
  isValid(storePath: string): boolean | Promise<boolean>;
  /** Does a trusted binary cache have the path? Only asked of paths not valid in the tab. */
  hasSubstitute(storePath: string): boolean | Promise<boolean>;
}

export interface TabStep {
  drvPath: string;
  drv: Derivation;
  /** Steps of this plan (by `.drv` path) that must finish first. */
  deps: string[];
  /**
   * What the step's input closure grows from: its sources and the outputs it takes from its
   * inputs (the builder among them). The closure itself is these and their references, which
   * for outputs not built yet nobody knows: `inputClosure` walks it once they are valid.
   */
  inputRoots: string[];
}

export interface TabPlan {
  target: string;
  /** The target's outputs, by name. */
  outputs: Record<string, string>;
  /** Steps to run, inputs first. */
  steps: TabStep[];
  /** Output paths to fetch from the cache (with their references' closure), sorted. */
  substitute: string[];
}

export async function planInTab(closure: DrvClosure, stores: TabStores): Promise<TabPlan> {
  const load = (drvPath: string): Derivation => {
    const drv = closure.derivations.get(drvPath);
    if (drv === undefined) throw new WpmError('ERR_DRV_MISSING', `${drvPath} is not in the closure read for ${closure.target}`);
    return drv;
  };
  const fromCache = new Set<string>();
  const plan = await planBuild([closure.target], load, async (p) => {
    if (await stores.isValid(p)) return true;
    if (!(await stores.hasSubstitute(p))) return false;
    fromCache.add(p);
    return true;
  });
  // An output a cache has belongs to a step that runs anyway if another of its outputs is missing.
  for (const step of plan.steps) for (const o of Object.values(step.drv.outputs)) fromCache.delete(o.path);
  const builtin = plan.steps.find((s) => isBuiltin(s.drv.builder));
  if (builtin !== undefined) {
    const outputs = Object.values(builtin.drv.outputs).map((o) => o.path).join(', ');
    throw new WpmError('ERR_WEB_NOT_SUBSTITUTABLE', `${builtin.drvPath} (${builtin.drv.builder}) must come from a binary cache in the tab, and no cache has ${outputs}`, {
      hint: `the tab runs WASI programs only: put the toolchain in the cache the page reads, e.g. \`wpm build\` it and \`wpm copy --to <cache> ${outputs}\``,
    });
  }
  const target = load(closure.target);
  return {
    target: closure.target,
    outputs: Object.fromEntries(Object.entries(target.outputs).map(([name, o]) => [name, o.path])),
    steps: plan.steps.map((s) => ({ ...s, inputRoots: inputRoots(s.drv, load) })),
    substitute: [...fromCache].sort(),
  };
}

/** A derivation's sources and the outputs it takes from its inputs, sorted. */
export function inputRoots(drv: Derivation, load: (drvPath: string) => Derivation): string[] {
  const roots = new Set(drv.inputSrcs);
  for (const [inputDrv, outs] of Object.entries(drv.inputDrvs)) {
    const input = load(inputDrv);
    for (const o of outs) {
      const out = input.outputs[o];
      if (out === undefined) throw new WpmError('ERR_DRV_FIELD_TYPE', `${inputDrv} has no output '${o}', which a step of the closure takes from it`);
      roots.add(out.path);
    }
  }
  return [...roots].sort();
}

/**
 * The input closure of a step whose inputs are valid: its roots and everything they refer to, as
 * the CLI's builder gives a step (LocalStore.closure). `referencesOf` reads the tab's path info.
 */
export async function inputClosure(roots: readonly string[], referencesOf: (storePath: string) => Promise<readonly string[]>): Promise<string[]> {
  const seen = new Set<string>();
  let level = [...new Set(roots)];
  while (level.length > 0) {
    for (const p of level) seen.add(p);
    const refs = await Promise.all(level.map(referencesOf));
    level = [...new Set(refs.flat())].filter((r) => !seen.has(r));
  }
  return [...seen].sort();
}
