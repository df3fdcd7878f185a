// Copies a host file or directory into the store's temporary area before it is hashed: only
// regular files (keeping just the executable bit), directories and symlinks, never `.git`.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError } from '../../util/index.js';

export type CopyFilter = (relPath: string, isDir: boolean) => boolean;

export function copyTree(src: string, dest: string, filter?: CopyFilter): void {
  // Iterative, like every walk in the store: source trees can be deep.
  const stack: [string, string, string][] = [[src, dest, '']];
  while (stack.length > 0) {
    const [from, to, rel] = stack.pop()!;
    const st = fs.lstatSync(from);
    if (st.isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(from), to);
    } else if (st.isFile()) {
      fs.copyFileSync(from, to);
      fs.chmodSync(to, st.mode & 0o111 ? 0o755 : 0o644);
    } else if (st.isDirectory()) {
      fs.mkdirSync(to);
      for (const name of fs.readdirSync(from)) {
        if (name === '.git') continue; // never part of a source, whatever the filter says
        const childRel = rel === '' ? name : `${rel}/${name}`;
        const child = path.join(from, name);
        if (filter && !filter(childRel, fs.lstatSync(child).isDirectory())) continue;
        stack.push([child, path.join(to, name), childRel]);
      }
    } else {
      throw new WpmError('ERR_STORE_SPECIAL_FILE', `${from}: not a regular file, directory or symlink`, {
        hint: 'store objects cannot hold FIFOs, sockets or devices',
      });
    }
  }
}
