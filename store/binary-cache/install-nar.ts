// From a NAR file of a cache to a store object, in one pass over the bytes: decompressed as they
// stream in, hashed and counted, parsed and written straight into $WPM_HOME/tmp as a normalised
// tree whose files go to a flush batch. The NAR parser accepts only canonical NARs, and the tree
// is written from exactly the bytes hashed, so a tree whose bytes are the NarHash and NarSize the
// (already trusted) narinfo promised is that path; it is not read back. Anything else leaves
// nothing behind, and nothing is registered until the whole batch is (install-batch.ts).

import path from 'node:path';
import { WpmError, isWpmError } from '../../util/index.js';
import {
  formatHash,
  installBatch,
  narHasher,
  newFlushBatch,
  removeTree,
  restoreNarTree,
  type FinishedTree,
  type FlushBatch,
  type LocalStore,
  type NarInfo,
  type PathInfo,
} from '../index.js';
import { decompress } from './compression.js';

/** The info a substituted path is registered with: the narinfo's, which its bytes were checked against. */
function infoOf(narinfo: NarInfo): PathInfo {
  return {
    path: narinfo.storePath,
    narHash: narinfo.narHash,
    narSize: narinfo.narSize,
    references: [...new Set(narinfo.references)].sort(),
    ...(narinfo.deriver ? { deriver: narinfo.deriver } : {}),
    signatures: [...new Set(narinfo.sigs)],
    ...(narinfo.ca ? { ca: narinfo.ca } : {}),
  };
}

/**
 * Unpacks the NAR `file` (as the cache stores it, compressed as the narinfo says) at `dest`, which
 * must not exist, and checks it against the narinfo. Throws an ERR_SUBSTITUTE_* or ERR_CACHE_*
 * error naming `where` (the NAR's URL) if anything is wrong; then nothing is left at `dest`.
 */
export async function unpackNar(narinfo: NarInfo, file: AsyncIterable<Uint8Array>, where: string, dest: string, batch: FlushBatch): Promise<FinishedTree> {
  const sink = narHasher();
  // Counted as the bytes pass, before they are parsed (more bytes than NarSize is an error at
  // once), and hashed on another thread while they are parsed and written.
  const onChunk = (chunk: Uint8Array): void | Promise<void> => {
    if (sink.size + chunk.length > narinfo.narSize) {
      throw new WpmError('ERR_SUBSTITUTE_NAR_SIZE', `${where}: the NAR of ${narinfo.storePath} is longer than its NarSize ${narinfo.narSize}`);
    }
    return sink.update(chunk);
  };
  try {
    await restoreNarTree(decompress(narinfo.compression, file, where), dest, { normalize: true, batch, onChunk });
  } catch (err) {
    // Errors of the download itself (timeouts, early ends, decompression) are reported as they are.
    if (isWpmError(err) && (err.code.startsWith('ERR_CACHE') || err.code.startsWith('ERR_SUBSTITUTE') || err.code === 'ERR_INTERRUPTED')) throw err;
    // The parser's own message says what was wrong (an early end, a bad tag…).
    const msg = err instanceof Error ? err.message : String(err);
    throw new WpmError('ERR_SUBSTITUTE_BAD_NAR', `${where}: the NAR of ${narinfo.storePath} is truncated or malformed after ${sink.size} bytes: ${msg}`, { cause: err });
  }
  let problem: WpmError | undefined;
  if (sink.size !== narinfo.narSize) {
    problem = new WpmError('ERR_SUBSTITUTE_NAR_SIZE', `${where}: the NAR of ${narinfo.storePath} is ${sink.size} bytes, its NarSize says ${narinfo.narSize}`);
  } else {
    const got = formatHash(sink.digest(), 'nix32');
    if (got !== narinfo.narHash) {
      problem = new WpmError('ERR_SUBSTITUTE_NAR_HASH', `${where}: NAR hash mismatch for ${narinfo.storePath}:\n  narinfo says: ${narinfo.narHash}\n  got:          ${got}`);
    }
  }
  if (problem) {
    removeTree(dest);
    throw problem;
  }
  return { tmpPath: dest, info: infoOf(narinfo) };
}

/**
 * One NAR to one valid path, on its own (an upload to `wpm serve`): unpacked, checked, flushed and
 * registered. The path's references must be valid already.
 */
export async function installNar(store: LocalStore, narinfo: NarInfo, file: AsyncIterable<Uint8Array>, where: string): Promise<PathInfo> {
  const tmpDir = store.makeTempDir('substitute');
  const batch = newFlushBatch(store);
  try {
    const tree = await unpackNar(narinfo, file, where, path.join(tmpDir, 'x'), batch);
    await installBatch(store, [tree], batch);
  } catch (err) {
    await batch.dispose();
    throw err;
  } finally {
    removeTree(tmpDir);
  }
  const info = store.requirePathInfo(narinfo.storePath);
  // Written with the info in one go, unless the path was valid already (then merged under its lock).
  return narinfo.sigs.every((s) => info.signatures.includes(s)) ? info : await addSignatures(store, info.path, narinfo.sigs);
}

/** Adds signatures to a valid path's info (under its lock, so two writers do not lose one). */
export async function addSignatures(store: LocalStore, storePath: string, sigs: string[]): Promise<PathInfo> {
  const lock = await store.lock(storePath);
  try {
    const info = store.requirePathInfo(storePath);
    const merged = [...new Set([...info.signatures, ...sigs])];
    if (merged.length === info.signatures.length) return info;
    const updated = { ...info, signatures: merged };
    store.db.write(updated);
    return updated;
  } finally {
    lock.release();
  }
}
