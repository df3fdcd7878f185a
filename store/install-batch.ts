// Installing finished trees as valid paths, a batch at a time, in one transaction: what adding,
// building and substituting all end with. In order:
//  1. every path of the batch becomes a temporary root (GC's handshake, temp-roots.ts), so GC
//     never takes a half-installed path for garbage;
//  2. each path's info is written under a temporary name in db/;
//  3. the batch is flushed once (flush-batch.ts): the trees' files and directories and those
//     infos are on disk before anything is renamed;
//  4. under the paths' locks (taken in one order, so two batches never wait on each other), each
//     tree is renamed into store/, then store/ is fsynced once;
//  5. the infos are renamed into place, references before referrers: one rename each, then one
//     fsync of db/ per level of the batch's reference graph (a whole `store add` is one level, a
//     closure a few), so that after a power cut no valid path lacks a valid reference.
// A crash at any moment leaves either nothing valid or complete paths; the leftovers (temporary
// infos and trees of a dead process, a directory in store/ without info) are garbage that the
// next add of the path, `wpm store gc` and `wpm store verify --repair` sweep.
import fs from 'node:fs';
import type { Lock } from './lock.js';
import type { PathInfo } from './path-info.js';
import type { StoreContext } from './store-context.js';
import { addTempRoots } from './temp-roots.js';
import { FlushBatch, syncDir } from './tree/flush-batch.js';
import { removeTree } from './tree/normalize.js';

/** A finished, normalised tree in tmp/ and the info it is to be registered with. */
export interface FinishedTree {
  /** Consumed: moved into the store, or deleted if the path is valid already. */
  tmpPath: string;
  info: PathInfo;
}

/** A flush batch for trees written into this store's tmp/. */
export function newFlushBatch(store: StoreContext): FlushBatch {
  return new FlushBatch(store.layout.tmp, { durable: store.durable });
}

/**
 * Installs the trees, whose files were handed to `batch` as they were written. Returns, for each,
 * whether this process installed it (false: the path was valid already, or became so meanwhile).
 * References in the batch are registered first; references outside it are the caller's to have
 * made valid (a build's inputs, a substitution's references).
 */
export async function installBatch(store: StoreContext, trees: readonly FinishedTree[], batch: FlushBatch): Promise<boolean[]> {
  const installed = trees.map(() => false);
  await addTempRoots(store.layout, trees.map((t) => t.info.path));
  const todo: number[] = [];
  const skipped: number[] = [];
  const seen = new Set<string>();
  trees.forEach((t, k) => {
    const fresh = !seen.has(t.info.path) && !store.db.has(t.info.path);
    seen.add(t.info.path);
    (fresh ? todo : skipped).push(k);
  });
  const written = new Map<number, string>(); // tree index → its temporary info, until renamed
  const locks: Lock[] = [];
  try {
    if (todo.length === 0) {
      await batch.dispose();
      return installed;
    }
    const shared = sameFileSystem(store);
    const infoBatch = shared ? batch : new FlushBatch(store.layout.db, { durable: store.durable });
    for (const k of todo) {
      const { fd, tmp } = store.db.writeTemp(trees[k]!.info);
      written.set(k, tmp);
      await infoBatch.fileDone(fd, Buffer.from(tmp), 0);
    }
    await batch.flush();
    if (!shared) await infoBatch.flush();

    const byHash = [...todo].sort((a, b) => compare(trees[a]!.info.path, trees[b]!.info.path));
    for (const k of byHash) locks.push(await store.lock(trees[k]!.info.path));
    const moved: number[] = [];
    for (const k of todo) {
      const { tmpPath, info } = trees[k]!;
      if (store.db.has(info.path)) {
        skipped.push(k); // another process installed it while we flushed
        continue;
      }
      store.hooks.onInstalling?.(info.path);
      moveIntoStore(store, tmpPath, info.path);
      moved.push(k);
    }
    if (store.durable && moved.length > 0) syncDir(store.layout.store);
    for (const level of referenceLevels(moved, trees)) {
      store.db.commit(level.map((k) => ({ tmp: written.get(k)!, info: trees[k]!.info })), { durable: store.durable });
      for (const k of level) {
        written.delete(k);
        installed[k] = true;
      }
    }
  } catch (err) {
    await batch.dispose();
    throw err;
  } finally {
    for (const lock of locks) lock.release();
    for (const tmp of written.values()) fs.rmSync(tmp, { force: true });
    for (const k of skipped) removeTree(trees[k]!.tmpPath);
  }
  trees.forEach((t, k) => installed[k] && store.hooks.onInstalled?.(t.info));
  return installed;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Are tmp/ and db/ on one file system (so one syncfs flushes trees and infos alike)? */
function sameFileSystem(store: StoreContext): boolean {
  return fs.statSync(store.layout.tmp).dev === fs.statSync(store.layout.db).dev;
}

/** Renames a finished tree into store/, replacing an invalid leftover of a crash. */
function moveIntoStore(store: StoreContext, tmpPath: string, storePath: string): void {
  const host = store.toHost(storePath);
  removeTree(host);
  // Renaming a directory into another parent needs it writable (its '..' entry changes).
  const isDir = fs.lstatSync(tmpPath).isDirectory();
  if (isDir) fs.chmodSync(tmpPath, 0o755);
  fs.renameSync(tmpPath, host);
  if (isDir) {
    fs.chmodSync(host, 0o555);
    fs.utimesSync(host, 1, 1);
  }
}

/**
 * The trees grouped so that each group refers only to earlier groups (or valid paths): Kahn's
 * order by levels. Paths that refer to each other (outputs of one derivation may) share the last
 * group, as do the paths that refer to them.
 */
export function referenceLevels(members: readonly number[], trees: readonly FinishedTree[]): number[][] {
  const index = new Map(members.map((k) => [trees[k]!.info.path, k]));
  const waitsOn = new Map<number, number>();
  const referrers = new Map<number, number[]>();
  for (const k of members) {
    const { path, references } = trees[k]!.info;
    const deps = [...new Set(references)].filter((r) => r !== path && index.has(r)).map((r) => index.get(r)!);
    waitsOn.set(k, deps.length);
    for (const d of deps) referrers.set(d, [...(referrers.get(d) ?? []), k]);
  }
  const levels: number[][] = [];
  let ready = members.filter((k) => waitsOn.get(k) === 0);
  const done = new Set<number>();
  while (ready.length > 0) {
    levels.push(ready);
    const next: number[] = [];
    for (const k of ready) {
      done.add(k);
      for (const r of referrers.get(k) ?? []) {
        const left = waitsOn.get(r)! - 1;
        waitsOn.set(r, left);
        if (left === 0) next.push(r);
      }
    }
    ready = next;
  }
  const rest = members.filter((k) => !done.has(k));
  if (rest.length > 0) levels.push(rest);
  return levels;
}
