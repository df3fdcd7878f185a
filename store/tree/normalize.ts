// Store objects are immutable and carry no host metadata: files are 0444 or 0555 (only the
// executable bit survives, as in a NAR), directories 0555, every mtime is 1 s after the epoch.
// Both walks here are iterative: a build output may nest a few thousand levels deep, which a
// recursive walk in JS would not survive.
import fs from 'node:fs';
import { WpmError } from '../../util/index.js';
import { removeTreeSync } from './remove-tree.js';

const EPOCH_PLUS_ONE = new Date(1000);
const SLASH = Buffer.from('/');

function specialFile(p: string): WpmError {
  return new WpmError('ERR_STORE_SPECIAL_FILE', `${p}: not a regular file, directory or symlink`, {
    hint: 'store objects cannot hold FIFOs, sockets or devices',
  });
}

/**
 * Normalise a finished output in place; refuses special files, naming them. Returns the regular
 * files and directories it visited (what a durable registration has to fsync).
 */
export function normalizeTree(root: string): { files: Buffer[]; dirs: Buffer[] } {
  const files: Buffer[] = [];
  const dirs: Buffer[] = [];
  // A directory is sealed (0555, mtime) after its children: a read-only directory can no longer
  // be changed, and touching a child would bump its mtime again.
  // Paths are bytes: a file name need not be valid UTF-8.
  const stack: { path: Buffer; sealed: boolean }[] = [{ path: Buffer.from(root), sealed: false }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (top.sealed) {
      fs.chmodSync(top.path, 0o555);
      fs.utimesSync(top.path, EPOCH_PLUS_ONE, EPOCH_PLUS_ONE);
      continue;
    }
    const st = fs.lstatSync(top.path);
    if (st.isSymbolicLink()) {
      fs.lutimesSync(top.path, EPOCH_PLUS_ONE, EPOCH_PLUS_ONE);
    } else if (st.isFile()) {
      fs.chmodSync(top.path, st.mode & 0o111 ? 0o555 : 0o444);
      fs.utimesSync(top.path, EPOCH_PLUS_ONE, EPOCH_PLUS_ONE);
      files.push(top.path);
    } else if (st.isDirectory()) {
      fs.chmodSync(top.path, 0o755);
      dirs.push(top.path);
      stack.push({ path: top.path, sealed: true });
      for (const name of fs.readdirSync(top.path, { encoding: 'buffer' })) {
        stack.push({ path: Buffer.concat([top.path, SLASH, name]), sealed: false });
      }
    } else {
      throw specialFile(top.path.toString());
    }
  }
  return { files, dirs };
}

/**
 * Delete a tree, however deep, making read-only directories (store objects) writable first.
 * A missing tree is not an error. Kept under this name for callers outside the store.
 */
export function removeTree(root: string): void {
  removeTreeSync(root);
}
