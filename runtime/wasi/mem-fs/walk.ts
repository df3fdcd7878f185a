// Path lookup in the in-memory tree, as the kernel does it for node:fs: absolute paths only,
// '.' and '..' by the directories walked, symlinks in the middle always followed (40 hops, then
// ELOOP), the last one only when asked.

import { fsError, type MemDir, type MemNode } from './nodes.js';

const MAX_HOPS = 40;

/** Where a path leads: the directory holding its last component, the name, and what is there. */
export interface Found {
  parent: MemDir;
  name: string;
  node: MemNode | undefined;
}

export function walk(root: MemDir, path: string, followLast: boolean, syscall: string): Found {
  if (!path.startsWith('/')) throw fsError('ENOENT', syscall, path);
  const pending = path.split('/').filter((c) => c !== '' && c !== '.').reverse();
  const stack: MemDir[] = [root];
  let hops = 0;
  // The path named a directory itself ('/', '/a/..'): its entry in its parent stands for it.
  let last: Found = { parent: root, name: '.', node: root };
  while (pending.length > 0) {
    const c = pending.pop()!;
    const dir = stack[stack.length - 1];
    if (c === '..') {
      if (stack.length > 1) stack.pop();
      const cur = stack[stack.length - 1];
      last = { parent: stack[stack.length - 2] ?? root, name: '.', node: cur };
      continue;
    }
    const node = dir.entries.get(c);
    const isLast = pending.length === 0;
    if (node === undefined) {
      if (isLast) return { parent: dir, name: c, node: undefined };
      throw fsError('ENOENT', syscall, path);
    }
    if (node.kind === 'symlink' && (!isLast || followLast)) {
      if (++hops > MAX_HOPS) throw fsError('ELOOP', syscall, path);
      if (node.target.startsWith('/')) stack.length = 1;
      const parts = node.target.split('/').filter((p) => p !== '' && p !== '.');
      for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]);
      if (parts.length === 0) last = { parent: stack[stack.length - 2] ?? root, name: '.', node: stack[stack.length - 1] };
      continue;
    }
    if (isLast) return { parent: dir, name: c, node };
    if (node.kind !== 'dir') throw fsError('ENOTDIR', syscall, path);
    stack.push(node);
    last = { parent: dir, name: c, node };
  }
  return last;
}
