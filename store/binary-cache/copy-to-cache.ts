// `wpm copy --to URL`: upload a closure to a cache, references first, so that at every moment
// each narinfo in the cache has its references there too. For each path the NAR is dumped from
// the store, compressed and written to a local temporary file while both the NAR and the file
// are hashed (the file's name is its hash, known only at the end); then the file is put, then
// the narinfo. A path the cache has already is not uploaded again, but signatures it lacks are
// added to its narinfo (that is how a second builder vouches for the same bytes); a cache that
// holds other bytes under the same path is an error, never overwritten.

import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { WpmError } from '../../util/index.js';
import { HashSink, formatHash, formatNarInfo, nix32Encode, parseNarInfo, parseStorePath, removeTree, type LocalStore, type PathInfo, type SecretKey } from '../index.js';
import type { BinaryCache } from './cache.js';
import { formatCacheInfo, readCacheInfo } from './cache-info.js';
import { compress, compressionExtension, type Compression } from './compression.js';
import { narSource } from './nar-source.js';
import { narInfoFor, referencesFirst } from './path-narinfo.js';

export interface CopyToCacheOptions {
  /** Default none. */
  compression?: Compression;
  /** Sign each narinfo with these keys too (the path's stored signatures are always included). */
  signKeys?: SecretKey[];
  onCopied?: (storePath: string, fileSize: number) => void;
}

async function* tap(src: AsyncIterable<Uint8Array>, sink: HashSink): AsyncGenerator<Uint8Array> {
  for await (const c of src) {
    sink.update(c);
    yield c;
  }
}

export async function copyToCache(
  store: LocalStore,
  paths: string[],
  cache: BinaryCache,
  opts: CopyToCacheOptions = {},
): Promise<{ copied: string[]; signed: string[]; present: string[] }> {
  const compression = opts.compression ?? 'none';
  // A new directory cache gets its nix-cache-info; an existing one must be for /wpm/store.
  if (!(await cache.exists('nix-cache-info'))) await cache.put('nix-cache-info', formatCacheInfo(), { contentType: 'text/x-nix-cache-info' });
  await readCacheInfo(cache);

  const copied: string[] = [];
  const signed: string[] = [];
  const present: string[] = [];
  for (const storePath of referencesFirst(store, store.closure(paths))) {
    const { hashPart } = parseStorePath(storePath);
    const info = store.requirePathInfo(storePath);
    const existing = await cache.getText(`${hashPart}.narinfo`);
    if (existing !== undefined) {
      (await addMissingSignatures(cache, info, existing, opts.signKeys) ? signed : present).push(storePath);
      continue;
    }
    const tmpDir = store.makeTempDir('upload');
    try {
      const tmp = path.join(tmpDir, 'nar');
      const narSink = new HashSink('sha256');
      const fileSink = new HashSink('sha256');
      await pipeline(Readable.from(tap(compress(compression, tap(narSource(store, storePath), narSink)), fileSink)), fs.createWriteStream(tmp));
      const narHash = formatHash(narSink.digest(), 'nix32');
      if (narHash !== info.narHash || narSink.size !== info.narSize) {
        throw new WpmError('ERR_STORE_CORRUPT', `${storePath} no longer matches its recorded NAR hash (${info.narHash}, now ${narHash}); not uploading it`, {
          hint: 'the store copy was modified; rebuild or repair the path',
        });
      }
      const fileHash = fileSink.digest();
      const url = `nar/${nix32Encode(fileHash.digest)}.nar${compressionExtension(compression)}`;
      await cache.put(url, { file: tmp });
      const narinfo = narInfoFor(info, { url, compression, fileHash: formatHash(fileHash, 'nix32'), fileSize: fileSink.size }, opts.signKeys);
      await cache.put(`${hashPart}.narinfo`, formatNarInfo(narinfo), { contentType: 'text/x-nix-narinfo' });
      copied.push(storePath);
      opts.onCopied?.(storePath, fileSink.size);
    } finally {
      removeTree(tmpDir);
    }
  }
  return { copied, signed, present };
}

/** Puts the narinfo again with the signatures it lacks; false if it had them all. */
async function addMissingSignatures(cache: BinaryCache, info: PathInfo, text: string, signKeys: SecretKey[] = []): Promise<boolean> {
  const where = `${cache.url}/${parseStorePath(info.path).hashPart}.narinfo`;
  const theirs = parseNarInfo(text, where);
  if (theirs.narHash !== info.narHash || theirs.narSize !== info.narSize) {
    throw new WpmError('ERR_CACHE_DISAGREES', `${where} holds other bytes for ${info.path} (${theirs.narHash}, here ${info.narHash}); not overwriting it`, {
      hint: `compare with: wpm challenge ${info.path} --caches ${cache.url}`,
    });
  }
  const ours = narInfoFor(info, { url: theirs.url, compression: theirs.compression }, signKeys).sigs;
  const missing = ours.filter((s) => !theirs.sigs.includes(s));
  if (missing.length === 0) return false;
  await cache.put(`${parseStorePath(info.path).hashPart}.narinfo`, formatNarInfo({ ...theirs, sigs: [...theirs.sigs, ...missing] }), { contentType: 'text/x-nix-narinfo' });
  return true;
}
