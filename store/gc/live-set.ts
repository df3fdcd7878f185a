// Which valid paths GC keeps: everything reachable from the roots under references, plus what
// the keep-derivations / keep-outputs policy adds, plus, for paths in use by live processes, the
// outputs of every derivation they may still build or read. Pure: it sees only path infos.
import type { PathInfo } from '../path-info.js';

export interface LivePolicy {
  /** Keep the `.drv` that built each live path, and its closure (Nix's default: true). */
  keepDerivations: boolean;
  /** Keep the outputs of each live `.drv` (Nix's default: false). */
  keepOutputs: boolean;
}

export interface LiveInput {
  infos: Map<string, PathInfo>;
  /** Permanent roots: result links, profiles. */
  roots: Iterable<string>;
  /**
   * Paths in use by live processes. For these, outputs of every `.drv` in their closure are kept
   * whatever the policy says: a running build reads them as inputs or links them as results.
   */
  inUse: Iterable<string>;
  /** The output paths of a `.drv` (read from the store). */
  outputsOf: (drvPath: string) => string[];
  policy: LivePolicy;
}

const NORMAL = 1;
const IN_USE = 2;

export function computeLiveSet(input: LiveInput): Set<string> {
  const { infos, policy } = input;
  const mark = new Map<string, number>();
  const stack: [string, number][] = [];
  for (const r of input.roots) stack.push([r, NORMAL]);
  for (const r of input.inUse) stack.push([r, IN_USE]);
  while (stack.length > 0) {
    const [p, how] = stack.pop()!;
    const info = infos.get(p);
    // Not valid (a temp root being added right now, a result link to a deleted path): nothing to keep.
    if (!info) continue;
    // Visit again only if reached in a stronger way (in use keeps more than a root does).
    if ((mark.get(p) ?? 0) >= how) continue;
    mark.set(p, how);
    for (const ref of info.references) stack.push([ref, how]);
    if (policy.keepDerivations && info.deriver && infos.has(info.deriver)) stack.push([info.deriver, how]);
    if (p.endsWith('.drv') && (policy.keepOutputs || how === IN_USE)) {
      for (const out of input.outputsOf(p)) stack.push([out, how]);
    }
  }
  return new Set(mark.keys());
}

/**
 * The order to delete dead paths in: referrers before the paths they refer to, so that a GC
 * interrupted at any point leaves no valid path whose reference is gone. Paths that refer to each
 * other (outputs of one derivation may) cannot be ordered; such a cycle is broken at its first path.
 */
export function deletionOrder(dead: Set<string>, infos: Map<string, PathInfo>): string[] {
  const referrers = new Map<string, number>();
  for (const p of dead) referrers.set(p, 0);
  for (const p of dead) {
    for (const ref of infos.get(p)!.references) {
      if (ref !== p && dead.has(ref)) referrers.set(ref, referrers.get(ref)! + 1);
    }
  }
  const ready = [...dead].filter((p) => referrers.get(p) === 0).sort().reverse();
  const remaining = [...dead].sort();
  const order: string[] = [];
  const done = new Set<string>();
  while (done.size < dead.size) {
    let p = ready.pop();
    // Only a cycle is left waiting: break it at its first path and go on in order.
    if (p === undefined) p = remaining.find((q) => !done.has(q))!;
    if (done.has(p)) continue;
    order.push(p);
    done.add(p);
    for (const ref of infos.get(p)!.references) {
      if (ref === p || !dead.has(ref) || done.has(ref)) continue;
      const left = referrers.get(ref)! - 1;
      referrers.set(ref, left);
      if (left === 0) ready.push(ref);
    }
  }
  return order;
}
