// Deletes a tree on disk, iteratively. Node's own recursive rm recurses in JS and overflows the
// stack on trees a couple of thousand levels deep, which a hostile NAR can make us create.
// Read-only directories (as store objects have) are made writable first so they can be emptied.

import * as fs from 'node:fs';

const SLASH = Buffer.from('/');

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

export function removeTreeSync(root: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(root);
  } catch (err) {
    if (isMissing(err)) return;
    throw err;
  }
  if (!stat.isDirectory()) {
    fs.unlinkSync(root);
    return;
  }
  const stack: { path: Buffer; emptied: boolean }[] = [{ path: Buffer.from(root), emptied: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.emptied) {
      fs.rmdirSync(top.path);
      stack.pop();
      continue;
    }
    top.emptied = true;
    fs.chmodSync(top.path, 0o700);
    for (const e of fs.readdirSync(top.path, { withFileTypes: true, encoding: 'buffer' })) {
      const child = Buffer.concat([top.path, SLASH, e.name]);
      if (e.isDirectory()) stack.push({ path: child, emptied: false });
      else fs.unlinkSync(child);
    }
  }
}
