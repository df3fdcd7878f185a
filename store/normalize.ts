// Store objects are immutable and carry no host metadata: files are 0444 or 0555 (only the
// executable bit survives, as in a NAR), directories 0555, every mtime is 1 s after the epoch.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError } from '../util/index.js';

const EPOCH_PLUS_ONE = new Date(1000);

/** Normalise a finished output in place; refuses special files, naming them. */
export function normalizeTree(root: string): void {
  const st = fs.lstatSync(root);
  if (st.isSymbolicLink()) {
    fs.lutimesSync(root, EPOCH_PLUS_ONE, EPOCH_PLUS_ONE);
    return;
  }
  if (st.isFile()) {
    fs.chmodSync(root, st.mode & 0o111 ? 0o555 : 0o444);
    fs.utimesSync(root, EPOCH_PLUS_ONE, EPOCH_PLUS_ONE);
    return;
  }
  if (!st.isDirectory()) {
    throw new WpmError('ERR_STORE_SPECIAL_FILE', `${root}: not a regular file, directory or symlink`, {
      hint: 'store objects cannot hold FIFOs, sockets or devices',
    });
  }
  // Children first: a read-only directory can no longer be changed.
  fs.chmodSync(root, 0o755);
  for (const name of fs.readdirSync(root)) normalizeTree(path.join(root, name));
  fs.chmodSync(root, 0o555);
  fs.utimesSync(root, EPOCH_PLUS_ONE, EPOCH_PLUS_ONE);
}

/** Make a tree deletable again (store objects are read-only), then delete it. */
export function removeTree(root: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(root);
  } catch {
    return;
  }
  if (st.isDirectory()) makeWritable(root);
  fs.rmSync(root, { recursive: true, force: true });
}

function makeWritable(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) makeWritable(path.join(dir, entry.name));
  }
}
