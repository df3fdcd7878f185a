// The guest's namespace: virtual directories joining the mounts, and path resolution done
// one component at a time. The host OS never resolves a guest path by itself: every
// component is lstat'ed here, symlinks are followed virtually (absolute targets from the
// guest root), and whatever lies outside the mounts does not exist.

import { E, MAX_SYMLINK_HOPS } from './constants.js';
import { WasiErrno } from './errno.js';
import type { HostFs, HostStats } from './host-fs.js';
import type { Mount } from './types.js';

export interface MountPoint {
  kind: 'mount';
  guest: string;
  host: string;
  writable: boolean;
  /** A declared output: may be absent, and then may be created once by the guest. */
  output: boolean;
}

export interface VDir {
  kind: 'vdir';
  guest: string;
  children: Map<string, MountPoint | VDir>;
}

/** A canonical place in the guest namespace (no symlinks, no dot segments). */
export interface Loc {
  guest: string;
  /** Backing host path; null for a virtual directory. */
  host: string | null;
  mount: MountPoint | null;
  vdir: VDir | null;
}

/**
 * How the last component of a path is looked up (POSIX: "pathname resolution").
 * - 'follow': a symlink there is followed (open, stat with symlink_follow).
 * - 'nofollow': it is not, unless the path ends in '/': "p/" names the directory p leads to
 *   (open and stat without symlink_follow, readlink).
 * - 'entry': never; the call acts on the entry itself (unlink, rmdir, rename, and the new name of
 *   mkdir, symlink and link), and a trailing '/' only says that entry must be a directory.
 */
export type FinalLookup = 'follow' | 'nofollow' | 'entry';

export interface Resolved {
  /** Directory holding the final component. */
  parent: Loc;
  name: string;
  /** Where the final component is or would be created; host null = nothing may be created there. */
  loc: Loc;
  /** lstat of the final component (stat if it was followed); null if absent or virtual. */
  stat: HostStats | null;
  exists: boolean;
  /** The path ended in '/' (or '/.'): the result must be a directory. With 'entry' lookups the
   * caller checks that (stat may be a file or a symlink); otherwise resolve did. */
  mustBeDir: boolean;
}

export function depth(guest: string): number {
  if (guest === '/') return 0;
  let n = 0;
  for (let i = 0; i < guest.length; i++) if (guest.charCodeAt(i) === 47) n++;
  return n;
}

function parentGuest(guest: string): string {
  return guest.slice(0, guest.lastIndexOf('/')) || '/';
}

function join(dir: string, name: string): string {
  return dir === '/' ? '/' + name : dir + '/' + name;
}

export class Namespace {
  readonly root: VDir = { kind: 'vdir', guest: '/', children: new Map() };
  private tree = new Map<string, MountPoint | VDir>([['/', this.root]]);
  /** Mount-tree children by the guest path of their parent directory. */
  private children = new Map<string, Map<string, MountPoint | VDir>>([['/', this.root.children]]);
  // Input mounts never change during a run, so their lstat/readlink answers are cached:
  // clang probes the same include directories hundreds of times.
  private statCache = new Map<string, HostStats | null>();
  private linkCache = new Map<string, string>();

  constructor(mounts: Mount[], outputs: { guest: string; host: string }[], private readonly fs: HostFs) {
    for (const m of mounts) this.add({ kind: 'mount', guest: m.guest, host: m.host, writable: m.writable, output: false });
    for (const o of outputs) this.add({ kind: 'mount', guest: o.guest, host: o.host, writable: true, output: true });
  }

  private add(mp: MountPoint): void {
    const guest = normalizeGuest(mp.guest);
    if (!guest.startsWith('/') || guest === '/') throw new Error(`mount point must be an absolute guest path below /: ${mp.guest}`);
    mp.guest = guest;
    this.tree.set(guest, mp);
    this.link(guest, mp);
    // Ancestors not inside another mount become virtual directories. A mount nested in a
    // mounted host directory is found through `children` of that directory's guest path.
    for (let dir = parentGuest(guest); dir !== '/'; dir = parentGuest(dir)) {
      if (this.tree.has(dir) || this.coveredByMount(dir)) break;
      const vd: VDir = { kind: 'vdir', guest: dir, children: this.children.get(dir) ?? new Map() };
      this.children.set(dir, vd.children);
      this.tree.set(dir, vd);
      this.link(dir, vd);
    }
  }

  private link(guest: string, node: MountPoint | VDir): void {
    const parent = parentGuest(guest);
    const name = guest.slice(guest.lastIndexOf('/') + 1);
    let m = this.children.get(parent);
    if (m === undefined) {
      const pn = this.tree.get(parent);
      m = pn !== undefined && pn.kind === 'vdir' ? pn.children : new Map();
      this.children.set(parent, m);
    }
    m.set(name, node);
  }

  private coveredByMount(guest: string): boolean {
    for (let p = guest; p !== '/'; p = parentGuest(p)) {
      const n = this.tree.get(p);
      if (n !== undefined && n.kind === 'mount') return true;
    }
    return false;
  }

  rootLoc(): Loc {
    return { guest: '/', host: null, mount: null, vdir: this.root };
  }

  /** Map a canonical guest path to its location (used for '..' and for preopens). */
  locate(guest: string): Loc {
    let p = guest;
    for (;;) {
      const node = this.tree.get(p);
      if (node !== undefined) {
        if (node.kind === 'vdir') {
          if (p === guest) return { guest, host: null, mount: null, vdir: node };
          return { guest, host: null, mount: null, vdir: null }; // below a virtual dir: absent
        }
        return { guest, host: node.host + guest.slice(p.length), mount: node, vdir: null };
      }
      p = p.slice(0, p.lastIndexOf('/')) || '/';
    }
  }

  parentOf(loc: Loc): Loc {
    if (loc.guest === '/') return loc;
    return this.locate(loc.guest.slice(0, loc.guest.lastIndexOf('/')) || '/');
  }

  lstat(loc: Loc): HostStats | null {
    if (loc.host === null) return null;
    return this.lstatHost(loc.host, loc.mount!);
  }

  private lstatHost(host: string, mount: MountPoint): HostStats | null {
    if (mount.writable) return this.fs.lstatSync(host, { throwIfNoEntry: false }) ?? null;
    let st = this.statCache.get(host);
    if (st === undefined) {
      st = this.fs.lstatSync(host, { throwIfNoEntry: false }) ?? null;
      this.statCache.set(host, st);
    }
    return st;
  }

  private readlinkHost(host: string, mount: MountPoint): string {
    if (mount.writable) return this.fs.readlinkSync(host);
    let t = this.linkCache.get(host);
    if (t === undefined) {
      t = this.fs.readlinkSync(host);
      this.linkCache.set(host, t);
    }
    return t;
  }

  /** A child of a directory location, whether or not it exists. */
  child(dir: Loc, name: string): { loc: Loc; stat: HostStats | null; exists: boolean } {
    const guest = join(dir.guest, name);
    const node = this.children.get(dir.guest)?.get(name);
    if (node !== undefined) {
      if (node.kind === 'vdir') return { loc: { guest, host: null, mount: null, vdir: node }, stat: null, exists: true };
      const st = this.lstatHost(node.host, node);
      return { loc: { guest, host: node.host, mount: node, vdir: null }, stat: st, exists: st !== null };
    }
    if (dir.host === null) {
      // Nothing but the mounts exists in a virtual directory, and nothing can be created there.
      return { loc: { guest, host: null, mount: null, vdir: null }, stat: null, exists: false };
    }
    const host = dir.host + '/' + name;
    const st = this.lstatHost(host, dir.mount!);
    return { loc: { guest, host, mount: dir.mount, vdir: null }, stat: st, exists: st !== null };
  }

  /**
   * Resolve `p` relative to the directory `base` (a guest's dirfd). '..' may not climb
   * above `base` (ENOTCAPABLE, as WASI capability rules say); once a symlink was followed
   * the walk is in the guest's namespace and may climb to its root, which has nothing
   * but the mounts anyway.
   */
  resolve(base: Loc, p: string, final: FinalLookup): Resolved {
    if (p.length === 0) throw new WasiErrno(E.NOENT);
    if (p.charCodeAt(0) === 47) throw new WasiErrno(E.NOTCAPABLE);
    let mustBeDir = false;
    let end = p.length;
    while (end > 0 && p.charCodeAt(end - 1) === 47) end--;
    if (end < p.length) {
      mustBeDir = true;
      p = p.slice(0, end);
    }
    const pending = p.split('/').reverse();
    let cur = base;
    let floor = depth(base.guest);
    let hops = 0;
    while (pending.length > 0) {
      const c = pending.pop()!;
      if (c === '' || c === '.') continue;
      if (c === '..') {
        if (depth(cur.guest) <= floor) throw new WasiErrno(E.NOTCAPABLE);
        cur = this.parentOf(cur);
        continue;
      }
      const isLast = pending.length === 0;
      const ch = this.child(cur, c);
      if (!ch.exists) {
        if (isLast) return { parent: cur, name: c, loc: ch.loc, stat: null, exists: false, mustBeDir };
        throw new WasiErrno(E.NOENT);
      }
      const st = ch.stat;
      if (st !== null && st.isSymbolicLink() && (!isLast || final === 'follow' || (mustBeDir && final === 'nofollow'))) {
        if (++hops > MAX_SYMLINK_HOPS) throw new WasiErrno(E.LOOP);
        const target = this.readlinkHost(ch.loc.host!, ch.loc.mount!);
        if (target.length === 0) throw new WasiErrno(E.NOENT);
        if (target.charCodeAt(0) === 47) cur = this.rootLoc();
        floor = 0;
        const parts = target.split('/');
        for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]);
        continue;
      }
      if (isLast) {
        if (mustBeDir && final !== 'entry' && st !== null && !st.isDirectory()) throw new WasiErrno(E.NOTDIR);
        return { parent: cur, name: c, loc: ch.loc, stat: st, exists: true, mustBeDir };
      }
      if (st !== null && !st.isDirectory()) throw new WasiErrno(E.NOTDIR);
      cur = ch.loc;
    }
    // The path named a directory itself ('.', 'a/..', a symlink to a directory…).
    const st = this.lstat(cur);
    if (cur.host !== null && st === null) throw new WasiErrno(E.NOENT);
    if (st !== null && !st.isDirectory()) throw new WasiErrno(E.NOTDIR);
    return { parent: this.parentOf(cur), name: '.', loc: cur, stat: st, exists: true, mustBeDir: true };
  }

  /** Names in a directory: the host's plus any mounts inside it, sorted bytewise. */
  list(dir: Loc): string[] {
    const names = new Set<string>();
    if (dir.host !== null) for (const n of this.fs.readdirSync(dir.host)) names.add(n);
    const kids = this.children.get(dir.guest);
    if (kids !== undefined) {
      for (const [n, node] of kids) {
        if (node.kind === 'mount' && this.lstatHost(node.host, node) === null) continue;
        names.add(n);
      }
    }
    return [...names].sort(compareBytes);
  }

  /** Called after the guest changed a writable mount: nothing to forget (never cached). */
  isWritable(loc: Loc): boolean {
    return loc.mount !== null && loc.mount.writable;
  }
}

/** Bytewise order of the UTF-8 encodings (JS string order is UTF-16 code units). */
export function compareBytes(a: string, b: string): number {
  // UTF-8 byte order is code point order; UTF-16 unit order differs only for astral characters.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** path.posix.normalize for an absolute guest path: no empty, '.' or '..' segments, no trailing '/'. */
export function normalizeGuest(p: string): string {
  const out: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') out.pop();
    else out.push(c);
  }
  return p.startsWith('/') ? '/' + out.join('/') : out.join('/') || '.';
}
