// Permanent GC roots are symlinks under gcroots/, written and read here. `result` links: the store
// keeps a symlink to each under gcroots/auto, and a link that still leads into the store is a root
// (as Nix does with its auto roots). Profile generations: gcroots/profiles/<profile>-<n>-link
// leads to the generation's store path, and the profile's own link (profiles/<profile>) to one of
// those. Anything else under gcroots/ (a user's own links) is a root while it leads into the store.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WpmError } from '../../util/index.js';
import { STORE_DIR, isStorePath } from '../format/index.js';
import type { LocalStore } from '../local-store.js';
import { pidAlive } from '../lock.js';
import { syncDir } from '../tree/flush-batch.js';

/**
 * Can a result link be made at `linkPath`? Asked before building too, so that a mistyped `-o`
 * does not cost a build first.
 */
export function checkResultLink(linkPath: string): void {
  const stat = (p: string, follow: boolean) => {
    try {
      return follow ? fs.statSync(p) : fs.lstatSync(p);
    } catch {
      return undefined; // missing, or under something that is not a directory
    }
  };
  const existing = stat(linkPath, false);
  if (existing && !existing.isSymbolicLink()) {
    throw new WpmError('ERR_USAGE', `${linkPath} exists and is not a symbolic link: not replacing it with the result link`, {
      hint: 'choose another name with -o, or --no-link',
    });
  }
  const dir = path.dirname(linkPath);
  if (!stat(dir, true)?.isDirectory()) {
    throw new WpmError('ERR_USAGE', `cannot make the result link ${linkPath}: ${dir} is not a directory`);
  }
}

/**
 * Point `linkPath` at a store path and make it a root. An older link there is replaced at once;
 * anything else there (a file, a directory) is the user's, and is refused, as nix-build does.
 */
export function addGcRootLink(store: LocalStore, linkPath: string, storePath: string): void {
  const target = store.toHost(storePath);
  checkResultLink(linkPath);
  try {
    replaceSymlink(linkPath, target, { durable: false });
  } catch (cause) {
    throw new WpmError('ERR_RESULT_LINK', `cannot make the result link ${linkPath}: ${(cause as Error).message}`, { cause });
  }
  const autoDir = path.join(store.layout.gcroots, 'auto');
  fs.mkdirSync(autoDir, { recursive: true });
  const root = path.join(autoDir, crypto.createHash('sha256').update(linkPath).digest('hex').slice(0, 32));
  fs.rmSync(root, { force: true });
  fs.symlinkSync(linkPath, root);
}

/**
 * Make `linkPath` a symlink to `target` at once: a temporary link renamed over it, so that a
 * reader (or a crash) sees the old link or the new one, never none. `durable` also fsyncs the
 * directory, so that the switch survives a power cut once this returns.
 */
export function replaceSymlink(linkPath: string, target: string, opts: { durable: boolean }): void {
  const tmp = `${linkPath}.tmp-${process.pid}`;
  try {
    fs.rmSync(tmp, { force: true });
    fs.symlinkSync(target, tmp);
    fs.renameSync(tmp, linkPath);
  } catch (cause) {
    fs.rmSync(tmp, { force: true });
    throw cause;
  }
  if (opts.durable) syncDir(path.dirname(linkPath));
}

/** A generation of a profile: its root link under gcroots/profiles and what it keeps. */
export interface GenerationLink {
  number: number;
  /** gcroots/profiles/<profile>-<number>-link */
  link: string;
  /** The generation's store path; undefined if the link no longer leads into the store. */
  path: string | undefined;
  /** When the generation was made (the link's own mtime), in ms since the epoch. */
  createdMs: number;
}

/** Where a profile's generation links live. */
export function generationsDir(store: LocalStore): string {
  return path.join(store.layout.gcroots, 'profiles');
}

export function generationLinkPath(store: LocalStore, profile: string, n: number): string {
  return path.join(generationsDir(store), `${profile}-${n}-link`);
}

/**
 * Root a profile's new generation: gcroots/profiles/<profile>-<n>-link → its physical store path,
 * durable before it returns (the profile's own link is switched to it only afterwards).
 */
export function addGenerationLink(store: LocalStore, profile: string, n: number, storePath: string): string {
  const link = generationLinkPath(store, profile, n);
  fs.mkdirSync(path.dirname(link), { recursive: true });
  replaceSymlink(link, store.toHost(storePath), { durable: store.durable });
  return link;
}

/** A profile's generations, oldest first. */
export function listGenerationLinks(store: LocalStore, profile: string): GenerationLink[] {
  const dir = generationsDir(store);
  const prefix = `${profile}-`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: GenerationLink[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^([0-9]+)-link$/.exec(name.slice(prefix.length));
    if (!m) continue;
    const link = path.join(dir, name);
    const st = fs.lstatSync(link, { throwIfNoEntry: false });
    if (!st?.isSymbolicLink()) continue;
    out.push({ number: Number(m[1]), link, path: resolveIntoStore(store, link), createdMs: st.mtimeMs });
  }
  return out.sort((a, b) => a.number - b.number);
}

/** Unroot one generation: its closure is garbage from then on, unless something else keeps it. */
export function removeGenerationLink(store: LocalStore, profile: string, n: number): void {
  fs.rmSync(generationLinkPath(store, profile, n), { force: true });
}

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
  /**
   * Auto roots whose user link is gone, and links a killed process left half-made: no longer
   * roots, and deleted unless dry-running.
   */
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
      // A link replaceSymlink made but a killed process never renamed into place.
      const tmpOf = /\.tmp-([0-9]+)$/.exec(e.name);
      if (tmpOf && !pidAlive(Number(tmpOf[1]))) {
        dangling.push(link);
        continue;
      }
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
