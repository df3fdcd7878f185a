// Unpacks a NAR stream onto disk (tree-writer.ts does the writing).
//
// restoreNar, for `wpm nar restore`, is all-or-nothing: the tree is built in a hidden temporary
// sibling of the destination and renamed into place only after the whole NAR parsed and was
// written, so a bad or truncated NAR never leaves anything at the destination.
// restoreNarTree, for the store, writes a store object straight into a fresh directory of
// $WPM_HOME/tmp (nobody else looks there), normalised as it goes and handed to a flush batch.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WpmError, isWpmError } from '../../util/errors.js';
import { parseNar } from '../format/index.js';
import { removeTreeSync } from '../tree/remove-tree.js';
import { TreeWriter, type TreeWriterOptions } from '../tree/tree-writer.js';

/**
 * Restores the NAR read from `source` at `destPath`, which must not exist yet (its parent must),
 * with no trace left on failure. `destPath` itself is removed if anything goes wrong.
 */
export async function restoreNarTree(
  source: AsyncIterable<Uint8Array>,
  destPath: string,
  opts: TreeWriterOptions & { onChunk?: (chunk: Uint8Array) => void | Promise<void> } = {},
): Promise<void> {
  if (fs.lstatSync(destPath, { throwIfNoEntry: false })) {
    throw new WpmError('ERR_NAR_DEST_EXISTS', `cannot restore into ${destPath}: it already exists`);
  }
  const writer = new TreeWriter(destPath, opts);
  try {
    await parseNar(source, writer, opts.onChunk);
  } catch (err) {
    try {
      writer.close();
    } catch {
      // The original error is the one worth reporting.
    }
    removeTreeSync(destPath);
    if (isWpmError(err)) throw err;
    throw new WpmError('ERR_NAR_RESTORE_FAILED', `cannot restore a NAR into ${destPath}`, { cause: err });
  }
}

/**
 * Restores the NAR read from `source` at `destPath`, which must not exist yet (its parent must).
 * Note: an empty directory created at `destPath` by someone else during the restore would be
 * replaced by the rename, as rename(2) allows; the store serialises writers with its own lock.
 */
export async function restoreNar(source: AsyncIterable<Uint8Array>, destPath: string): Promise<void> {
  const dest = path.resolve(destPath);
  if (fs.lstatSync(dest, { throwIfNoEntry: false })) {
    throw new WpmError('ERR_NAR_DEST_EXISTS', `cannot restore into ${dest}: it already exists`);
  }
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.wpm-restore-${process.pid}-${randomBytes(6).toString('hex')}`);
  await restoreNarTree(source, tmp);
  try {
    fs.renameSync(tmp, dest);
  } catch (err) {
    removeTreeSync(tmp);
    const code = (err as NodeJS.ErrnoException)?.code ?? 'EIO';
    throw new WpmError('ERR_NAR_RESTORE_FAILED', `cannot move the restored tree to ${dest}: ${code}`, { cause: err });
  }
}
