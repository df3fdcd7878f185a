// Which valid paths refer to a path (`nix-store -q --referrers`), and, with `closure`, everything
// that refers to it however indirectly (`--referrers-closure`): the paths that keep it alive
// through references. Read from the path-info database; nothing is rooted.
import type { PathInfo } from '../path-info.js';

/** Referrers by store path, built once from every valid path's references. */
export function referrerIndex(infos: Iterable<PathInfo>): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const info of infos) {
    for (const ref of info.references) {
      if (ref === info.path) continue;
      let list = index.get(ref);
      if (!list) index.set(ref, (list = []));
      list.push(info.path);
    }
  }
  return index;
}

/**
 * The direct referrers of `paths`, sorted; with `closure`, every path that reaches one of them
 * through references, the paths themselves included (as Nix's `--referrers-closure`).
 */
export function referrersOf(paths: readonly string[], index: Map<string, string[]>, opts: { closure?: boolean } = {}): string[] {
  const found = new Set<string>(opts.closure ? paths : []);
  const stack = [...paths];
  while (stack.length > 0) {
    const p = stack.pop()!;
    for (const r of index.get(p) ?? []) {
      if (found.has(r)) continue;
      found.add(r);
      if (opts.closure) stack.push(r);
    }
  }
  return [...found].sort();
}
