// A closure drawn as a tree (`nix-store -q --tree`): each path's references below it, those that
// others of them refer to first (Nix's order, which flattens the tree), a path met again shown
// once more with " [...]" and not expanded.
import { topoSorted, type InfoOf } from './closure.js';

const CONN = '├───';
const LAST = '└───';
const LINE = '│   ';
const NONE = '    ';

/** The lines of the tree under `root`, as Nix draws them. */
export function closureTree(root: string, infoOf: InfoOf): string[] {
  const lines: string[] = [];
  const done = new Set<string>();
  // Iterative: a chain of references may be thousands deep.
  const stack: { path: string; first: string; tail: string }[] = [{ path: root, first: '', tail: '' }];
  while (stack.length > 0) {
    const { path, first, tail } = stack.pop()!;
    if (done.has(path)) {
      lines.push(`${first}${path} [...]`);
      continue;
    }
    done.add(path);
    lines.push(`${first}${path}`);
    const refs = topoSorted(infoOf(path).references.filter((r) => r !== path), infoOf);
    // Pushed last to first, so that they come off the stack in order.
    for (let i = refs.length - 1; i >= 0; i--) {
      const last = i === refs.length - 1;
      stack.push({ path: refs[i]!, first: tail + (last ? LAST : CONN), tail: tail + (last ? NONE : LINE) });
    }
  }
  return lines;
}
