// Leftovers that no valid path owns: a directory in store/ without path info (a crash between
// the rename and the info write, or during a deletion), temporary directories and files of
// processes that died, temp-roots files of dead processes. GC deletes them; verify reports them
// and deletes them with --repair. Never counted as corruption: a crash is allowed to leave them.
//
// Work of live processes is never garbage: temporary names carry the owner's pid, and a store
// directory being installed right now is a temporary root of its installer. Call with the GC
// lock held, so that no process starts relying on anything while we look.
import fs from 'node:fs';
import path from 'node:path';
import { STORE_DIR, isStorePath } from '../format/index.js';
import type { LocalStore } from '../local-store.js';
import { breakStaleBreaker, breakStaleLock, isStaleLock, pidAlive } from '../lock.js';
import { removeTree } from '../tree/normalize.js';
import { ownerFromName } from '../temp-roots.js';

export type GarbageKind = 'invalid-path' | 'temp-dir' | 'info-temp' | 'temp-roots' | 'lock-temp' | 'stale-lock';

export interface Garbage {
  kind: GarbageKind;
  /** Where it is on this machine. */
  host: string;
  /** For an invalid store directory, the store path it would be. */
  storePath?: string;
}

/** Temporary entries whose owner is unknown are left alone until they are this old. */
const UNOWNED_GRACE_MS = 60 * 60 * 1000;

/** `name.tmp-<pid>`, `name.new-<pid>-<hex>`, `.x.wpm-restore-<pid>-<hex>`: the pid of a temp name. */
function pidInTempName(name: string): number | undefined {
  const m = /[.-](?:tmp|new|stale|wpm-restore)-(\d+)(?:-[0-9a-f]+)?$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

function oldEnough(p: string): boolean {
  try {
    return Date.now() - fs.lstatSync(p).mtimeMs > UNOWNED_GRACE_MS;
  } catch {
    return false;
  }
}

function list(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

export interface GarbageOptions {
  /** Store paths that must not be called garbage even without info (temp roots: being added). */
  inFlight: Set<string>;
  /** Temp-roots files of dead processes, as found by readTempRoots. */
  staleTempRootFiles: string[];
}

export function findGarbage(store: LocalStore, opts: GarbageOptions): Garbage[] {
  const out: Garbage[] = [];
  const { layout } = store;

  for (const name of list(layout.store)) {
    const host = path.join(layout.store, name);
    const storePath = isStorePath(`${STORE_DIR}/${name}`) ? `${STORE_DIR}/${name}` : undefined;
    if (storePath) {
      if (opts.inFlight.has(storePath)) continue;
      // Claimed by an info file is enough (a corrupt one is verify's business, not garbage).
      if (store.db.has(storePath)) continue;
      out.push({ kind: 'invalid-path', host, storePath });
      continue;
    }
    // Not a store path name: a restore in progress, or something that has no business here.
    const owner = pidInTempName(name);
    if (owner !== undefined ? !pidAlive(owner) : oldEnough(host)) out.push({ kind: 'invalid-path', host });
  }

  for (const name of list(layout.tmp)) {
    const host = path.join(layout.tmp, name);
    const owner = ownerFromName(name);
    if (owner !== undefined ? !pidAlive(owner) : oldEnough(host)) out.push({ kind: 'temp-dir', host });
  }

  for (const name of list(layout.db)) {
    if (name.endsWith('.json')) continue;
    const host = path.join(layout.db, name);
    const owner = pidInTempName(name);
    if (owner !== undefined ? !pidAlive(owner) : oldEnough(host)) out.push({ kind: 'info-temp', host });
  }

  for (const name of list(layout.locks)) {
    const host = path.join(layout.locks, name);
    const owner = pidInTempName(name);
    if (owner !== undefined && !pidAlive(owner)) out.push({ kind: 'lock-temp', host });
    // A lock (or a breaker's lock) that a process killed while holding it left behind.
    else if ((name.endsWith('.lock') || name.endsWith('.lock.break')) && isStaleLock(host)) out.push({ kind: 'stale-lock', host });
  }

  for (const file of opts.staleTempRootFiles) out.push({ kind: 'temp-roots', host: file });
  return out;
}

/** Delete one leftover. A stale lock goes through the lock protocol: one taken afresh meanwhile stays. */
export function removeGarbage(g: Garbage): void {
  if (g.kind === 'stale-lock') {
    if (g.host.endsWith('.lock')) breakStaleLock(g.host);
    else breakStaleBreaker(g.host);
  } else removeTree(g.host);
}
