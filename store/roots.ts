// What GC must keep, before following references: permanent roots (symlinks under gcroots/,
// where gcroots/auto/ holds links to the `result` links `wpm build` made, and anything else is a
// profile or a user's own root) and paths in use (temporary roots of live processes, and the
// `.drv` of every build whose lock is held by a live process).
import fs from 'node:fs';
import path from 'node:path';
import { STORE_DIR, isStorePath } from './format/index.js';
import type { LocalStore } from './local-store.js';
import { isLockHeld } from './lock.js';
import { readTempRoots } from './temp-roots.js';

export interface GcRoot {
  /** The store path kept. */
  path: string;
  /** The symlink under gcroots/ that keeps it. */
  link: string;
  /** For an auto root, the user's link it points at (e.g. ./result). */
  via?: string;
}

export interface FoundRoots {
  roots: GcRoot[];
  /** Auto roots whose user link is gone: no longer roots, and deleted unless dry-running. */
  dangling: string[];
}

const MAX_HOPS = 40;

/** Follow a chain of symlinks until it lands in the store; undefined if it never does. */
export function resolveIntoStore(store: LocalStore, start: string): string | undefined {
  let realStore: string | undefined;
  try {
    realStore = fs.realpathSync(store.layout.store);
  } catch {
    realStore = undefined;
  }
  const inStore = (p: string): string | undefined => {
    if (p.startsWith(STORE_DIR + '/')) return `${STORE_DIR}/${p.slice(STORE_DIR.length + 1).split('/')[0]}`;
    const direct = store.fromHost(p);
    if (direct) return direct;
    if (realStore === undefined) return undefined;
    const rel = path.relative(realStore, p);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return `${STORE_DIR}/${rel.split(path.sep)[0]}`;
  };
  let cur = start;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (hop > 0) {
      const hit = inStore(cur);
      if (hit) return (isStorePath(hit) ? hit : undefined);
    }
    let st: fs.Stats;
    try {
      st = fs.lstatSync(cur);
    } catch {
      return undefined;
    }
    if (!st.isSymbolicLink()) {
      // A directory on the way may itself be a symlink into the store.
      try {
        const hit = inStore(fs.realpathSync(cur));
        return hit ? (isStorePath(hit) ? hit : undefined) : undefined;
      } catch {
        return undefined;
      }
    }
    cur = path.resolve(path.dirname(cur), fs.readlinkSync(cur));
  }
  return undefined;
}

/** Every symlink under gcroots/ that leads into the store. */
export function findRoots(store: LocalStore): FoundRoots {
  const roots: GcRoot[] = [];
  const dangling: string[] = [];
  const autoDir = path.join(store.layout.gcroots, 'auto');
  const stack = [store.layout.gcroots];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const link = path.join(dir, e.name);
      if (e.isDirectory()) {
        stack.push(link);
        continue;
      }
      if (!e.isSymbolicLink()) continue;
      const target = resolveIntoStore(store, link);
      const via = dir === autoDir ? readLinkOrUndefined(link) : undefined;
      if (target) {
        roots.push({ path: target, link, ...(via ? { via: path.resolve(dir, via) } : {}) });
      } else if (dir === autoDir && (via === undefined || !exists(path.resolve(dir, via)))) {
        // The user deleted their `result` link: the auto root has nothing left to protect.
        dangling.push(link);
      }
    }
  }
  roots.sort((a, b) => (a.link < b.link ? -1 : a.link > b.link ? 1 : 0));
  return { roots, dangling };
}

function readLinkOrUndefined(p: string): string | undefined {
  try {
    return fs.readlinkSync(p);
  } catch {
    return undefined;
  }
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

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
    const drvPath = store.queryPathInfoByHashPart(m[1]!)?.path;
    if (drvPath) building.add(drvPath);
  }
  return { tempRoots: roots, building, staleTempRootFiles: stale };
}
