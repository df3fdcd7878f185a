// `wpm store verify`: does every valid path still hold what its info says? Re-hashes each path and
// compares NAR hash and size, checks that its references are valid and that info files and store
// directories agree. Leftovers (store directories without info, temporary files of dead processes)
// are reported apart: a crash may leave them, so they are garbage, not corruption.
//
// Hashing runs without the GC lock, so builds go on meanwhile; every finding is then confirmed
// under the lock (the path may have been deleted or re-added in between) before it is reported
// or repaired. Repair invalidates: the next build rebuilds the path, the next add re-adds it.
import fs from 'node:fs';
import path from 'node:path';
import { formatHash } from './format/index.js';
import { findGarbage, removeGarbage, type Garbage } from './gc/garbage.js';
import { acquireGcLock } from './gc/gc-lock.js';
import { deletionOrder } from './gc/live-set.js';
import type { LocalStore } from './local-store.js';
import { hashPath } from './nar/index.js';
import { parsePathInfo, type PathInfo } from './path-info.js';
import { readTempRoots } from './temp-roots.js';

export type Problem =
  | { kind: 'hash-mismatch'; path: string; expected: string; actual: string; expectedSize: number; actualSize: number }
  | { kind: 'missing'; path: string }
  | { kind: 'unreadable'; path: string; message: string }
  | { kind: 'dangling-reference'; path: string; reference: string }
  | { kind: 'corrupt-info'; file: string; message: string };

export interface VerifyOptions {
  /** Invalidate corrupt paths (and what refers to them), drop corrupt info, sweep garbage. */
  repair?: boolean;
  onWait?: () => void;
  /** Called after each path is hashed (for progress). */
  onChecked?: (storePath: string, done: number, total: number) => void;
}

export interface VerifyResult {
  /** Valid paths hashed. */
  checked: number;
  problems: Problem[];
  garbage: Garbage[];
  /** With repair: paths made invalid (corrupt ones and, after them, what referred to them). */
  invalidated: string[];
  /** With repair: corrupt info files deleted, and garbage swept. */
  removed: string[];
}

/** What a path on disk hashes to, or why it cannot be hashed. */
async function checkContents(store: LocalStore, info: PathInfo): Promise<Problem | undefined> {
  const host = store.toHost(info.path);
  try {
    fs.lstatSync(host);
  } catch {
    return { kind: 'missing', path: info.path };
  }
  let narHash: string;
  let narSize: number;
  try {
    const r = await hashPath(host);
    narHash = formatHash(r.narHash, 'nix32');
    narSize = r.narSize;
  } catch (err) {
    return { kind: 'unreadable', path: info.path, message: err instanceof Error ? err.message : String(err) };
  }
  if (narHash !== info.narHash || narSize !== info.narSize) {
    return { kind: 'hash-mismatch', path: info.path, expected: info.narHash, actual: narHash, expectedSize: info.narSize, actualSize: narSize };
  }
  return undefined;
}

/** Every info file, parsed; the ones that do not parse or do not match their name, as problems. */
function readDb(store: LocalStore): { infos: Map<string, PathInfo>; problems: Problem[] } {
  const infos = new Map<string, PathInfo>();
  const problems: Problem[] = [];
  for (const name of fs.readdirSync(store.layout.db)) {
    if (!name.endsWith('.json')) continue;
    const file = path.join(store.layout.db, name);
    let info: PathInfo;
    try {
      info = parsePathInfo(fs.readFileSync(file, 'utf8'), name.slice(0, -'.json'.length));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted meanwhile
      problems.push({ kind: 'corrupt-info', file, message: err instanceof Error ? err.message : String(err) });
      continue;
    }
    infos.set(info.path, info);
  }
  return { infos, problems };
}

export function problemPath(p: Problem): string {
  return p.kind === 'corrupt-info' ? p.file : p.path;
}

export async function verifyStore(store: LocalStore, opts: VerifyOptions = {}): Promise<VerifyResult> {
  // Phase 1, unlocked: the slow part.
  const first = readDb(store);
  const suspects: string[] = [];
  let done = 0;
  for (const info of [...first.infos.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (await checkContents(store, info)) suspects.push(info.path);
    done++;
    opts.onChecked?.(info.path, done, first.infos.size);
  }

  // Phase 2, under the GC lock: nothing is deleted or newly relied on while we confirm and repair.
  const lock = await acquireGcLock(store.layout, opts.onWait);
  try {
    const { infos, problems } = readDb(store);
    for (const p of suspects) {
      const now = infos.get(p);
      if (!now) continue; // deleted meanwhile
      // Contents are immutable, but the path may have been deleted and added again since, maybe
      // with other contents (an input-addressed build need not be reproducible): hash again.
      const problem = await checkContents(store, now);
      if (problem) problems.push(problem);
    }
    for (const info of infos.values()) {
      for (const ref of info.references) {
        if (!infos.has(ref)) problems.push({ kind: 'dangling-reference', path: info.path, reference: ref });
      }
    }
    const temp = readTempRoots(store.layout);
    let garbage = findGarbage(store, { inFlight: temp.roots, staleTempRootFiles: temp.stale });
    const result: VerifyResult = { checked: done, problems, garbage, invalidated: [], removed: [] };
    if (!opts.repair) return result;

    // A path that is invalidated takes with it every path referring to it, so that the store keeps
    // its rule: a valid path's references are valid.
    const bad = new Set(problems.filter((p) => p.kind !== 'corrupt-info').map((p) => (p as { path: string }).path));
    const referrers = new Map<string, string[]>();
    for (const info of infos.values()) {
      for (const ref of info.references) if (ref !== info.path) referrers.set(ref, [...(referrers.get(ref) ?? []), info.path]);
    }
    const stack = [...bad];
    while (stack.length > 0) {
      for (const r of referrers.get(stack.pop()!) ?? []) {
        if (!bad.has(r)) {
          bad.add(r);
          stack.push(r);
        }
      }
    }
    const order = deletionOrder(bad, infos);
    store.invalidatePaths(order);
    result.invalidated = order;
    for (const p of problems) {
      if (p.kind === 'corrupt-info') {
        fs.rmSync(p.file, { force: true });
        result.removed.push(p.file);
      }
    }
    // Dropping corrupt info turned its directory into garbage: look again.
    garbage = findGarbage(store, { inFlight: temp.roots, staleTempRootFiles: temp.stale });
    for (const g of garbage) {
      removeGarbage(g);
      result.removed.push(g.host);
    }
    result.garbage = garbage;
    return result;
  } finally {
    lock.release();
  }
}
