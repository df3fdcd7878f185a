// From a NAR file of a cache to a valid local path: decompress while streaming, hash and count
// every byte, unpack into $WPM_HOME/tmp, and register only if the bytes are exactly the NarHash
// and NarSize the (already trusted) narinfo promised. Anything else leaves no trace in the store.

import path from 'node:path';
import { WpmError, isWpmError } from '../../util/index.js';
import { HashSink, formatHash, removeTree, restoreNar, type LocalStore, type NarInfo, type PathInfo } from '../index.js';
import { decompress } from './compression.js';

/**
 * Hashes and counts as the bytes pass; more bytes than NarSize is an error at once. The error is
 * also kept in `failure`, because the NAR parser reports errors of its source in its own words.
 */
async function* verifying(src: AsyncIterable<Uint8Array>, narinfo: NarInfo, where: string, sink: HashSink, failure: { error?: WpmError }): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of src) {
      sink.update(chunk);
      if (sink.size > narinfo.narSize) {
        throw new WpmError('ERR_SUBSTITUTE_NAR_SIZE', `${where}: the NAR of ${narinfo.storePath} is longer than its NarSize ${narinfo.narSize}`);
      }
      yield chunk;
    }
  } catch (err) {
    // Errors of the download itself (timeouts, early ends, decompression) are the ones to report.
    if (isWpmError(err)) failure.error = err;
    throw err;
  }
}

export async function installNar(store: LocalStore, narinfo: NarInfo, file: AsyncIterable<Uint8Array>, where: string): Promise<PathInfo> {
  const tmpDir = store.makeTempDir('substitute');
  const tmp = path.join(tmpDir, 'x');
  const sink = new HashSink('sha256');
  const failure: { error?: WpmError } = {};
  try {
    try {
      await restoreNar(verifying(decompress(narinfo.compression, file, where), narinfo, where, sink, failure), tmp);
    } catch (err) {
      if (failure.error) throw failure.error;
      if (isWpmError(err) && (err.code.startsWith('ERR_CACHE') || err.code.startsWith('ERR_SUBSTITUTE'))) throw err;
      // The parser's own message says what was wrong (an early end, a bad tag…).
      const msg = err instanceof Error ? err.message : String(err);
      throw new WpmError('ERR_SUBSTITUTE_BAD_NAR', `${where}: the NAR of ${narinfo.storePath} is truncated or malformed after ${sink.size} bytes: ${msg}`, { cause: err });
    }
    if (sink.size !== narinfo.narSize) {
      throw new WpmError('ERR_SUBSTITUTE_NAR_SIZE', `${where}: the NAR of ${narinfo.storePath} is ${sink.size} bytes, its NarSize says ${narinfo.narSize}`);
    }
    const got = formatHash(sink.digest(), 'nix32');
    if (got !== narinfo.narHash) {
      throw new WpmError('ERR_SUBSTITUTE_NAR_HASH', `${where}: NAR hash mismatch for ${narinfo.storePath}:\n  narinfo says: ${narinfo.narHash}\n  got:          ${got}`);
    }
    // register() normalises and hashes the tree again: the bytes on disk, not only the bytes that
    // went by, are what the store vouches for.
    const info = await store.register(tmp, narinfo.storePath, {
      references: narinfo.references,
      ...(narinfo.deriver ? { deriver: narinfo.deriver } : {}),
      ...(narinfo.ca ? { ca: narinfo.ca } : {}),
      expectedNarHash: narinfo.narHash,
      signatures: narinfo.sigs,
    });
    // Written with the info in one go, unless the path was valid already (then merged under its lock).
    return narinfo.sigs.every((s) => info.signatures.includes(s)) ? info : await addSignatures(store, info.path, narinfo.sigs);
  } finally {
    removeTree(tmpDir);
  }
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
