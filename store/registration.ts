// Registering a path: a finished tree in tmp/ is normalised, NAR-hashed and scanned for
// references in one walk, made a temporary root, fsynced, then under the path's lock renamed into
// store/ and given its info file, last. A crash at any moment leaves either nothing registered or
// a complete path; leftovers are swept by the next add of that path, by `wpm store gc` and by
// `wpm store verify --repair`.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError } from '../util/index.js';
import { HASH_PART_LENGTH, STORE_DIR, formatHash, makeSourcePath, parseStorePath } from './format/index.js';
import { hashAndScanPath, hashPath } from './nar/index.js';
import type { PathInfo } from './path-info.js';
import type { StoreContext } from './store-context.js';
import { addTempRoot } from './temp-roots.js';
import { copyTree, type CopyFilter } from './tree/copy-tree.js';
import { normalizeTree, removeTree } from './tree/normalize.js';
import { syncDir, syncTree } from './tree/sync-tree.js';

export interface RegisterOptions {
  /** Store paths whose hash parts may occur in the output (its input closure and its own outputs). */
  referenceCandidates?: Iterable<string>;
  /** Declared references (text objects): used as they are instead of scanning. */
  references?: string[];
  deriver?: string;
  ca?: string;
  /** Check the NAR hash before registering; a mismatch registers nothing. */
  expectedNarHash?: string;
  /** Signatures to record with the path (a substituted path's, already checked). */
  signatures?: string[];
}

/** Files and directories to fsync before a tree is installed (as normalizeTree lists them). */
type ToSync = { files: Buffer[]; dirs: Buffer[] };

/**
 * Move a finished tree at `tmpPath` into the store as `storePath` and register it.
 * `tmpPath` is consumed: moved into the store, or deleted if the path is already valid.
 */
export async function registerTree(store: StoreContext, tmpPath: string, storePath: string, opts: RegisterOptions = {}): Promise<PathInfo> {
  const entries = normalizeTree(tmpPath);
  let narHash;
  let narSize: number;
  let references: string[];
  if (opts.references) {
    ({ narHash, narSize } = await hashPath(tmpPath));
    references = [...new Set(opts.references)].sort();
  } else {
    // One walk gives the hash and the references: the output's files are read once.
    const byHash = new Map<string, string>();
    for (const c of opts.referenceCandidates ?? []) byHash.set(hashPartOf(c), c);
    byHash.set(parseStorePath(storePath).hashPart, storePath);
    const scanned = await hashAndScanPath(tmpPath, byHash.keys());
    ({ narHash, narSize } = scanned);
    references = [...scanned.references].map((h) => byHash.get(h)!).sort();
  }
  const narHashText = formatHash(narHash, 'nix32');
  if (opts.expectedNarHash !== undefined && opts.expectedNarHash !== narHashText) {
    removeTree(tmpPath);
    throw new WpmError('ERR_STORE_HASH_MISMATCH', `hash mismatch for ${storePath}:\n  expected: ${opts.expectedNarHash}\n  got:      ${narHashText}`);
  }
  const info: PathInfo = {
    path: storePath,
    narHash: narHashText,
    narSize,
    references,
    ...(opts.deriver ? { deriver: opts.deriver } : {}),
    signatures: [...new Set(opts.signatures ?? [])],
    ...(opts.ca ? { ca: opts.ca } : {}),
  };
  await installTree(store, tmpPath, info, entries);
  const registered = store.db.get(storePath);
  if (!registered) throw new WpmError('ERR_STORE_NOT_VALID', `${storePath} is not valid in the store at ${store.layout.home}`);
  return registered;
}

/** Add a file or directory from the host as a `source` path (recursive sha256, like nix-store --add). */
export async function addHostPath(store: StoreContext, hostPath: string, opts: { name?: string; filter?: CopyFilter } = {}): Promise<string> {
  const abs = path.resolve(hostPath);
  const name = opts.name ?? path.basename(abs);
  const tmpDir = store.makeTempDir('add');
  const tmp = path.join(tmpDir, 'x');
  try {
    copyTree(abs, tmp, opts.filter);
    const entries = normalizeTree(tmp);
    const { narHash, narSize } = await hashPath(tmp);
    const storePath = makeSourcePath(narHash, name);
    const narHashText = formatHash(narHash, 'nix32');
    // A source refers to nothing: it cannot contain its own hash, which depends on its contents.
    await installTree(store, tmp, { path: storePath, narHash: narHashText, narSize, references: [], signatures: [], ca: `fixed:r:${narHashText}` }, entries);
    return storePath;
  } finally {
    removeTree(tmpDir);
  }
}

/**
 * Rename into place and write the info file, under the path's lock. Returns false if the path
 * was valid already (then `tmpPath` is just deleted): a path is written once, whoever races.
 */
async function installTree(store: StoreContext, tmpPath: string, info: PathInfo, toSync: ToSync): Promise<boolean> {
  const { durable } = store;
  // Rooted before anything lands in store/, so GC never takes our half-installed path for garbage.
  await addTempRoot(store.layout, info.path);
  if (store.db.has(info.path)) {
    removeTree(tmpPath);
    return false;
  }
  // Outside the lock: other writers of other paths need not wait for our disk.
  if (durable) await syncTree(toSync);
  const lock = await store.lock(info.path);
  try {
    if (store.db.has(info.path)) {
      removeTree(tmpPath);
      return false;
    }
    store.hooks.onInstalling?.(info.path);
    const host = store.toHost(info.path);
    removeTree(host); // an invalid leftover from a crash
    // Renaming a directory into another parent needs it writable (its '..' entry changes).
    const isDir = fs.lstatSync(tmpPath).isDirectory();
    if (isDir) fs.chmodSync(tmpPath, 0o755);
    fs.renameSync(tmpPath, host);
    if (isDir) {
      fs.chmodSync(host, 0o555);
      fs.utimesSync(host, new Date(1000), new Date(1000));
    }
    if (durable) syncDir(store.layout.store);
    store.db.write(info, { durable });
    store.hooks.onInstalled?.(info);
    return true;
  } finally {
    lock.release();
  }
}

function hashPartOf(storePath: string): string {
  return storePath.slice(STORE_DIR.length + 1, STORE_DIR.length + 1 + HASH_PART_LENGTH);
}
