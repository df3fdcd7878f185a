// The closure of store paths in the order Nix lists it (`nix path-info -r`, `nix-store -qR`):
// every path after the paths it refers to, ties broken by the paths' names. And the sizes a user
// asks about: a path's NAR size, its closure's.
import type { PathInfo } from '../path-info.js';

/** Path info by store path, for the queries here (the store's `requirePathInfo`). */
export type InfoOf = (storePath: string) => PathInfo;

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The closure of `roots`, references first: the order Nix prints closures in. */
export function sortedClosure(roots: Iterable<string>, infoOf: InfoOf): string[] {
  return topoSorted(closureSet(roots, infoOf), infoOf);
}

/**
 * `paths`, each after those of them it refers to: a depth-first walk from each path in name
 * order, each path written after its references within the set (in name order). This is the
 * order Nix prints paths in (`nix path-info`, with or without -r).
 */
export function topoSorted(paths: Iterable<string>, infoOf: InfoOf): string[] {
  const all = new Set(paths);
  const out: string[] = [];
  const done = new Set<string>();
  // Iterative, with an explicit stack: closures can be deep chains.
  for (const start of [...all].sort(byName)) {
    if (done.has(start)) continue;
    const stack: { path: string; refs: string[]; next: number }[] = [];
    const push = (p: string) => {
      done.add(p);
      stack.push({ path: p, refs: infoOf(p).references.filter((r) => r !== p && all.has(r)).sort(byName), next: 0 });
    };
    push(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.refs.length) {
        const ref = top.refs[top.next++]!;
        if (!done.has(ref)) push(ref);
        continue;
      }
      out.push(top.path);
      stack.pop();
    }
  }
  return out;
}

/** Every path reachable from `roots` under references, the roots included. */
export function closureSet(roots: Iterable<string>, infoOf: InfoOf): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    for (const ref of infoOf(p).references) if (!seen.has(ref)) stack.push(ref);
  }
  return seen;
}

/** The sum of the NAR sizes of a path's closure (`nix path-info -S`). */
export function closureSize(storePath: string, infoOf: InfoOf): number {
  let total = 0;
  for (const p of closureSet([storePath], infoOf)) total += infoOf(p).narSize;
  return total;
}
