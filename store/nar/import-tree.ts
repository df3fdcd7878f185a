// Copying a host file or directory into $WPM_HOME/tmp as a store object (what `wpm store add`
// and `wpm.path` do), in one pass: the tree is walked in NAR order, each file read once, its
// bytes hashed as NAR and written to the copy, already normalised. The hash is the hash of the
// copy by construction: both come from the same read. Only regular files (keeping just the
// executable bit), directories and symlinks are taken; `.git` never is.
import { HashSink, type Hash } from '../format/index.js';
import { removeTreeSync } from '../tree/remove-tree.js';
import type { CopyFilter } from '../tree/copy-tree.js';
import type { FlushBatch } from '../tree/flush-batch.js';
import { TreeWriter } from '../tree/tree-writer.js';
import { dumpPath } from './dump.js';


export interface ImportOptions {
  filter?: CopyFilter;
  /** Where the copy's files go to be made durable (default: just closed). */
  batch?: FlushBatch;
}

function lastName(relPath: string): string {
  return relPath.slice(relPath.lastIndexOf('/') + 1);
}

/**
 * Copies `src` to `dest` (which must not exist) as a store object and returns its NAR hash and
 * size. On failure nothing is left at `dest`.
 */
export async function importTree(src: string, dest: string, opts: ImportOptions = {}): Promise<{ narHash: Hash; narSize: number }> {
  const sink = new HashSink('sha256');
  const writer = new TreeWriter(dest, { normalize: true, ...(opts.batch ? { batch: opts.batch } : {}) });
  const user = opts.filter;
  // Never part of a source, whatever the filter says.
  const filter = (rel: string, isDir: boolean) => lastName(rel) !== '.git' && (user === undefined || user(rel, isDir));
  try {
    await dumpPath(src, (chunk) => sink.update(chunk), { emitKeepsChunks: false, filter, tee: writer });
  } catch (err) {
    try {
      writer.close();
    } catch {
      // The walk's error is the one worth reporting.
    }
    removeTreeSync(dest);
    throw err;
  }
  return { narHash: sink.digest(), narSize: sink.size };
}
