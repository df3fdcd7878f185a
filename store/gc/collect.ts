// Garbage collection: delete every valid path that no root keeps, then the leftovers no valid
// path owns. Decisions and deletions happen under the global GC lock; processes that add or use
// paths meanwhile wait for it after recording a temporary root (temp-roots.ts), so nothing they
// rely on is deleted. See docs/design.md, "GC".
import fs from 'node:fs';
import type { LocalStore } from '../local-store.js';
import { diskUsage } from '../tree/disk-usage.js';
import { readDrvOutputs } from './drv-outputs.js';
import { findGarbage, removeGarbage, type Garbage } from './garbage.js';
import { acquireGcLock } from './gc-lock.js';
import { computeLiveSet, deletionOrder, type LivePolicy } from './live-set.js';
import type { PathInfo } from '../path-info.js';
import { findInUse } from './in-use.js';
import { findRoots, type GcRoot } from './root-links.js';

export interface GcOptions extends Partial<LivePolicy> {
  /** Decide and report, delete nothing (not even dangling auto roots). */
  dryRun?: boolean;
  /** Called once if another GC or verify holds the lock. */
  onWait?: () => void;
  /** Called for each valid path as it is deleted (or would be). */
  onDelete?: (storePath: string, bytes: number) => void;
  /** Stop once this many bytes are freed (`--max-freed`); referrers still go before what they refer to. */
  maxFreed?: number;
}

export interface GcResult {
  roots: GcRoot[];
  /** Auto roots removed because the `result` link they pointed to is gone. */
  danglingRoots: string[];
  /** Paths kept because live processes use them (temporary roots and running builds). */
  inUse: string[];
  /** Valid paths kept. */
  live: number;
  /** Valid paths deleted (or that would be), in deletion order. */
  deleted: { path: string; bytes: number }[];
  /** Leftovers deleted (or that would be). */
  garbage: (Garbage & { bytes: number })[];
  bytesFreed: number;
  dryRun: boolean;
}

/** Deleting this many paths' info files shares one fsync of db/. */
const BATCH = 64;

export async function collectGarbage(store: LocalStore, opts: GcOptions = {}): Promise<GcResult> {
  const policy: LivePolicy = { keepDerivations: opts.keepDerivations ?? true, keepOutputs: opts.keepOutputs ?? false };
  const dryRun = opts.dryRun ?? false;
  const lock = await acquireGcLock(store.layout, opts.onWait);
  try {
    // Order matters: roots and in-use paths are read after the lock is taken, so a process that
    // roots a path later waits for us before it relies on the path.
    const { roots, dangling } = findRoots(store);
    const inUse = findInUse(store);
    const infos = new Map<string, PathInfo>();
    for (const info of store.db.list()) infos.set(info.path, info);
    const live = computeLiveSet({
      infos,
      roots: roots.map((r) => r.path),
      inUse: [...inUse.tempRoots, ...inUse.building],
      outputsOf: (drv) => readDrvOutputs(store.toHost(drv)),
      policy,
    });
    const dead = new Set([...infos.keys()].filter((p) => !live.has(p)));
    const order = deletionOrder(dead, infos);

    const deleted: GcResult['deleted'] = [];
    const maxFreed = opts.maxFreed ?? Infinity;
    let freed = 0;
    for (let i = 0; i < order.length && freed < maxFreed; i += BATCH) {
      const batch: string[] = [];
      const sizes: number[] = [];
      for (const p of order.slice(i, i + BATCH)) {
        if (freed >= maxFreed) break;
        batch.push(p);
        sizes.push(diskUsage(store.toHost(p)));
        freed += sizes[sizes.length - 1]!;
      }
      if (!dryRun) store.invalidatePaths(batch);
      batch.forEach((p, j) => {
        deleted.push({ path: p, bytes: sizes[j]! });
        opts.onDelete?.(p, sizes[j]!);
      });
    }

    // Leftovers are looked for after the deletions: a deletion cut short by a crash is one. Past
    // --max-freed, they wait for the next collection.
    const garbage = freed >= maxFreed ? [] : findGarbage(store, { inFlight: inUse.tempRoots, staleTempRootFiles: inUse.staleTempRootFiles }).map((g) => ({
      ...g,
      bytes: diskUsage(g.host),
    }));
    if (!dryRun) {
      for (const g of garbage) removeGarbage(g);
      for (const link of dangling) fs.rmSync(link, { force: true });
    }
    const bytesFreed = deleted.reduce((n, d) => n + d.bytes, 0) + garbage.reduce((n, g) => n + g.bytes, 0);
    return {
      roots,
      danglingRoots: dangling,
      inUse: [...new Set([...inUse.tempRoots, ...inUse.building])].filter((p) => infos.has(p)).sort(),
      live: live.size,
      deleted,
      garbage,
      bytesFreed,
      dryRun,
    };
  } finally {
    lock.release();
  }
}
