// Paths in use by live processes, which GC keeps besides what the roots keep: their temporary
// roots (temp-roots.ts) and the `.drv` of every build whose lock a live process holds.
import fs from 'node:fs';
import path from 'node:path';
import type { LocalStore } from '../local-store.js';
import { isLockHeld } from '../lock.js';
import { readTempRoots } from '../temp-roots.js';

const BUILD_LOCK = /^([0-9a-df-np-sv-z]{32})\.build\.lock$/;

export interface InUse {
  /** Temporary roots of live processes (possibly not valid yet: being added right now). */
  tempRoots: Set<string>;
  /** Derivations being built by live processes. */
  building: Set<string>;
  /** Temp-roots files of dead processes. */
  staleTempRootFiles: string[];
}

/** Paths live processes rely on. Call with the GC lock held (see temp-roots.ts for why). */
export function findInUse(store: LocalStore): InUse {
  const { roots, stale } = readTempRoots(store.layout);
  const building = new Set<string>();
  for (const name of fs.readdirSync(store.layout.locks)) {
    const m = BUILD_LOCK.exec(name);
    if (!m || !isLockHeld(path.join(store.layout.locks, name))) continue;
    // The lock is named by the derivation's hash part; its info names the whole path.
    const drvPath = store.db.getByHashPart(m[1]!)?.path;
    if (drvPath) building.add(drvPath);
  }
  return { tempRoots: roots, building, staleTempRootFiles: stale };
}
