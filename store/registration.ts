// Registering paths: build outputs (a finished tree in tmp/ is normalised, NAR-hashed and scanned
// for references in one walk) and sources added from the host (copied, normalised and hashed in
// one pass, import-tree.ts). Both end in installBatch (install-batch.ts): flushed as one batch,
// renamed into store/ and given their info files last, in one transaction.
import path from 'node:path';
import { WpmError } from '../util/index.js';
import { HASH_PART_LENGTH, STORE_DIR, formatHash, makeSourcePath, parseStorePath } from './format/index.js';
import { hashAndScanPath, hashPath } from './nar/index.js';
import { importTree } from './nar/import-tree.js';
import { installBatch, newFlushBatch, type FinishedTree } from './install-batch.js';
import type { PathInfo } from './path-info.js';
import type { StoreContext } from './store-context.js';
import type { CopyFilter } from './tree/copy-tree.js';
import { normalizeTree, removeTree } from './tree/normalize.js';

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

/** A tree at `tmpPath` to register as `storePath`. */
export interface TreeToRegister extends RegisterOptions {
  tmpPath: string;
  storePath: string;
}

/** A file or directory of the host to add as a `source` path. */
export interface HostSource {
  hostPath: string;
  /** The path's name (default: the source's base name). */
  name?: string;
  filter?: CopyFilter;
}

/**
 * Move finished trees (a derivation's outputs) into the store and register them, in one batch.
 * Each `tmpPath` is consumed: moved into the store, or deleted if the path is already valid.
 */
export async function registerTrees(store: StoreContext, trees: readonly TreeToRegister[]): Promise<PathInfo[]> {
  const batch = newFlushBatch(store);
  const finished: FinishedTree[] = [];
  try {
    for (const t of trees) {
      batch.addTree(normalizeTree(t.tmpPath));
      finished.push({ tmpPath: t.tmpPath, info: await describeTree(t) });
    }
  } catch (err) {
    for (const t of trees) removeTree(t.tmpPath);
    throw err;
  }
  await installBatch(store, finished, batch);
  return trees.map((t) => {
    const registered = store.db.get(t.storePath);
    if (!registered) throw new WpmError('ERR_STORE_NOT_VALID', `${t.storePath} is not valid in the store at ${store.layout.home}`);
    return registered;
  });
}

/** The info a finished tree is registered with: NAR hash and size, and references scanned or declared. */
async function describeTree(t: TreeToRegister): Promise<PathInfo> {
  let narHash;
  let narSize: number;
  let references: string[];
  if (t.references) {
    ({ narHash, narSize } = await hashPath(t.tmpPath));
    references = [...new Set(t.references)].sort();
  } else {
    // One walk gives the hash and the references: the output's files are read once.
    const byHash = new Map<string, string>();
    for (const c of t.referenceCandidates ?? []) byHash.set(hashPartOf(c), c);
    byHash.set(parseStorePath(t.storePath).hashPart, t.storePath);
    const scanned = await hashAndScanPath(t.tmpPath, byHash.keys());
    ({ narHash, narSize } = scanned);
    references = [...scanned.references].map((h) => byHash.get(h)!).sort();
  }
  const narHashText = formatHash(narHash, 'nix32');
  if (t.expectedNarHash !== undefined && t.expectedNarHash !== narHashText) {
    throw new WpmError('ERR_STORE_HASH_MISMATCH', `hash mismatch for ${t.storePath}:\n  expected: ${t.expectedNarHash}\n  got:      ${narHashText}`);
  }
  return {
    path: t.storePath,
    narHash: narHashText,
    narSize,
    references,
    ...(t.deriver ? { deriver: t.deriver } : {}),
    signatures: [...new Set(t.signatures ?? [])],
    ...(t.ca ? { ca: t.ca } : {}),
  };
}

/**
 * Add files or directories from the host as `source` paths (recursive sha256, like
 * `nix-store --add`), all in one batch: one flush and one registration for all of them.
 */
export async function addHostPaths(store: StoreContext, sources: readonly HostSource[]): Promise<string[]> {
  const tmpDir = store.makeTempDir('add');
  const batch = newFlushBatch(store);
  try {
    const finished: FinishedTree[] = [];
    for (const [i, src] of sources.entries()) {
      const abs = path.resolve(src.hostPath);
      const tmpPath = path.join(tmpDir, String(i));
      const { narHash, narSize } = await importTree(abs, tmpPath, { batch, ...(src.filter ? { filter: src.filter } : {}) });
      const narHashText = formatHash(narHash, 'nix32');
      // A source refers to nothing: it cannot contain its own hash, which depends on its contents.
      const info = { path: makeSourcePath(narHash, src.name ?? path.basename(abs)), narHash: narHashText, narSize, references: [], signatures: [], ca: `fixed:r:${narHashText}` };
      finished.push({ tmpPath, info });
    }
    await installBatch(store, finished, batch);
    return finished.map((f) => f.info.path);
  } catch (err) {
    await batch.dispose();
    throw err;
  } finally {
    removeTree(tmpDir);
  }
}

function hashPartOf(storePath: string): string {
  return storePath.slice(STORE_DIR.length + 1, STORE_DIR.length + 1 + HASH_PART_LENGTH);
}
