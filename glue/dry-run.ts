// What a build would do, without doing it (`wpm build --dry-run`, as `nix-build --dry-run`): the
// derivations it would build, and the paths it would fetch from binary caches instead, with their
// download and unpacked sizes from the caches' narinfos. Evaluation still writes the `.drv` files.
import { planBuild, readDerivation } from '../runtime/scheduler/index.js';
import type { LocalStore } from '../store/index.js';
import { evaluateFile, type EvalTarget, type EvaluateOptions, type Target } from './evaluate.js';

/** What a cache says of a path it can give: sizes and references. */
export interface Substitutable {
  narSize: number;
  /** The compressed file's size, where the cache says (FileSize). */
  fileSize?: number;
  references: string[];
}

/** Asks the binary caches about a path (nothing is downloaded); undefined: no cache has it. */
export type SubstitutableQuery = (storePath: string) => Promise<Substitutable | undefined>;

export interface DryRun {
  targets: Target[];
  /** `.drv` paths that would be built, sorted. */
  toBuild: string[];
  /** Paths that would be fetched, sorted, with what the caches say of them. */
  toFetch: ({ path: string } & Substitutable)[];
  /** Sum of the files to download (FileSize, else NarSize) and of the NAR sizes. */
  downloadBytes: number;
  unpackedBytes: number;
}

export async function dryRunFile(store: LocalStore, target: EvalTarget, opts: { evaluation: EvaluateOptions; query?: SubstitutableQuery | undefined }): Promise<DryRun> {
  const evaluated = await evaluateFile(store, target, opts.evaluation);
  return dryRunDerivations(store, evaluated.targets, (p) => evaluated.derivations.get(p) ?? readDerivation(store, p), opts.query);
}

/** The dry run of building `targets` (their `.drv` files written). */
export async function dryRunDerivations(store: LocalStore, targets: Target[], load: Parameters<typeof planBuild>[1], query?: SubstitutableQuery): Promise<DryRun> {
  const known = new Map<string, Substitutable | undefined>();
  const ask = async (p: string) => {
    if (!known.has(p)) known.set(p, query ? await query(p) : undefined);
    return known.get(p);
  };
  const substituted = new Set<string>();
  const plan = await planBuild(
    targets.map((t) => t.drvPath),
    load,
    async (p) => {
      if (store.isValid(p)) return true;
      if (!(await ask(p))) return false;
      substituted.add(p);
      return true;
    },
  );
  // An output found in a cache belongs to a step that is built anyway if another output is not.
  for (const step of plan.steps) for (const o of Object.values(step.drv.outputs)) substituted.delete(o.path);
  // What is fetched is the closure of what is substituted, less what is here already.
  const toFetch = new Map<string, Substitutable>();
  const stack = [...substituted];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (toFetch.has(p) || store.isValid(p)) continue;
    const info = await ask(p);
    if (!info) continue; // the substitution would fail and the path be built: Nix shows no better
    toFetch.set(p, info);
    stack.push(...info.references.filter((r) => r !== p));
  }
  const fetched = [...toFetch.entries()].map(([path, info]) => ({ path, ...info })).sort((a, b) => (a.path < b.path ? -1 : 1));
  return {
    targets,
    toBuild: plan.steps.map((s) => s.drvPath).sort(),
    toFetch: fetched,
    downloadBytes: fetched.reduce((n, f) => n + (f.fileSize ?? f.narSize), 0),
    unpackedBytes: fetched.reduce((n, f) => n + f.narSize, 0),
  };
}
