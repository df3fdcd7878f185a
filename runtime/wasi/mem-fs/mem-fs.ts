// A file system in memory behind the host's seam (host-fs.ts), for a step run in a browser
// worker: whole trees are built before the step (inputs from NARs, empty /build and /tmp) and
// read back after it (outputs to NARs), so every call can be synchronous. Semantics follow
// Linux's for the calls the host makes (test/web/mem-fs.test.ts runs one table on both).

import type { HostFs, HostStats, OpenFlags } from '../host-fs.js';
import { MemStats, fsError, type MemDir, type MemFile, type MemLink, type MemNode } from './nodes.js';
import { walk, type Found } from './walk.js';

/** Linux's numbers, the ones node:fs.constants has there. */
export const LINUX_OPEN_FLAGS: OpenFlags = {
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 0o100, O_EXCL: 0o200, O_TRUNC: 0o1000, O_APPEND: 0o2000, O_NOFOLLOW: 0o400000,
};
const { O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_NOFOLLOW } = LINUX_OPEN_FLAGS;
const UMASK = 0o022;

interface OpenFile {
  node: MemFile | MemDir;
  readable: boolean;
  writable: boolean;
  append: boolean;
  /** The descriptor's own position, for reads and writes that give none. */
  pos: number;
}

export class MemFs implements HostFs {
  readonly constants = LINUX_OPEN_FLAGS;
  readonly root: MemDir;
  private nextIno = 1;
  private nextFd = 3;
  private readonly open = new Map<number, OpenFile>();

  constructor() {
    this.root = this.dir(0o755, false);
  }

  /** New nodes, not yet linked anywhere (builders of trees use these too). */
  file(perm: number, data: Uint8Array, readOnly: boolean): MemFile {
    return { kind: 'file', ino: this.nextIno++, perm, nlink: 0, readOnly, data, size: data.length };
  }
  dir(perm: number, readOnly: boolean): MemDir {
    return { kind: 'dir', ino: this.nextIno++, perm, nlink: 1, readOnly, entries: new Map() };
  }
  symlinkNode(target: string, readOnly: boolean): MemLink {
    return { kind: 'symlink', ino: this.nextIno++, perm: 0o777, nlink: 0, readOnly, target };
  }

  /** Link a node into a directory (no checks: for building trees before a run). */
  attach(parent: MemDir, name: string, node: MemNode): void {
    parent.entries.set(name, node);
    if (node.kind !== 'dir') node.nlink++;
  }

  /** What a path leads to, following a final symlink or not (throws ENOENT if nothing). */
  lookup(path: string, follow = true): MemNode {
    const f = walk(this.root, path, follow, 'lookup');
    if (f.node === undefined) throw fsError('ENOENT', 'lookup', path);
    return f.node;
  }

  /** mkdir -p, for laying out a run's directories. */
  mkdirp(path: string): MemDir {
    let dir = this.root;
    for (const c of path.split('/').filter((p) => p !== '')) {
      let next = dir.entries.get(c);
      if (next === undefined) this.attach(dir, c, (next = this.dir(0o755, false)));
      if (next.kind !== 'dir') throw fsError('ENOTDIR', 'mkdir', path);
      dir = next;
    }
    return dir;
  }

  lstatSync(path: string, _opts: { throwIfNoEntry: false }): HostStats | undefined {
    // Only an absent last component is undefined; ENOTDIR on the way throws, as in node:fs.
    const f = walk(this.root, path, false, 'lstat');
    return f.node === undefined ? undefined : new MemStats(f.node);
  }

  fstatSync(fd: number): HostStats {
    return new MemStats(this.fd(fd, 'fstat').node);
  }

  openSync(path: string, flags: number, mode = 0o666): number {
    const f = walk(this.root, path, (flags & O_NOFOLLOW) === 0, 'open');
    const access = flags & 3;
    const writable = access === O_WRONLY || access === O_RDWR;
    let node = f.node;
    if (node === undefined) {
      if (!(flags & O_CREAT)) throw fsError('ENOENT', 'open', path);
      if (f.parent.readOnly) throw fsError('EROFS', 'open', path);
      node = this.file(mode & ~UMASK & 0o7777, new Uint8Array(0), false);
      this.attach(f.parent, f.name, node);
    } else {
      if (flags & O_CREAT && flags & O_EXCL) throw fsError('EEXIST', 'open', path);
      if (node.kind === 'symlink') throw fsError('ELOOP', 'open', path);
      if (node.kind === 'dir' && (writable || flags & O_TRUNC)) throw fsError('EISDIR', 'open', path);
      if (node.readOnly && (writable || flags & O_TRUNC)) throw fsError('EROFS', 'open', path);
      if (node.kind === 'file' && flags & O_TRUNC) resize(node, 0);
    }
    const fd = this.nextFd++;
    this.open.set(fd, { node, readable: access !== O_WRONLY, writable, append: (flags & O_APPEND) !== 0, pos: 0 });
    return fd;
  }

  readSync(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number {
    const o = this.fd(fd, 'read');
    if (!o.readable) throw fsError('EBADF', 'read', '');
    if (o.node.kind !== 'file') throw fsError('EISDIR', 'read', '');
    const at = pos ?? o.pos;
    const n = Math.max(0, Math.min(len, o.node.size - at));
    buf.set(o.node.data.subarray(at, at + n), off);
    if (pos === null) o.pos += n;
    return n;
  }

  writeSync(fd: number, buf: Uint8Array, off: number, len: number, pos?: number): number {
    const o = this.fd(fd, 'write');
    if (!o.writable || o.node.kind !== 'file') throw fsError('EBADF', 'write', '');
    const file = o.node;
    // Linux appends with O_APPEND whatever position pwrite names.
    const at = o.append ? file.size : pos ?? o.pos;
    if (at + len > file.size) resize(file, at + len);
    file.data.set(buf.subarray(off, off + len), at);
    if (pos === undefined || o.append) o.pos = at + len;
    return len;
  }

  closeSync(fd: number): void {
    this.fd(fd, 'close');
    this.open.delete(fd);
  }

  ftruncateSync(fd: number, len: number): void {
    const o = this.fd(fd, 'ftruncate');
    if (!o.writable || o.node.kind !== 'file') throw fsError('EINVAL', 'ftruncate', '');
    resize(o.node, len);
  }

  readdirSync(path: string): string[] {
    const node = this.existing(path, true, 'scandir');
    if (node.kind !== 'dir') throw fsError('ENOTDIR', 'scandir', path);
    return [...node.entries.keys()];
  }

  readlinkSync(path: string): string {
    const node = this.existing(path, false, 'readlink');
    if (node.kind !== 'symlink') throw fsError('EINVAL', 'readlink', path);
    return node.target;
  }

  mkdirSync(path: string, mode: number): undefined {
    const f = this.creating(path, 'mkdir');
    this.attach(f.parent, f.name, this.dir(mode & ~UMASK & 0o7777, false));
    return undefined;
  }

  symlinkSync(target: string, path: string): void {
    const f = this.creating(path, 'symlink');
    this.attach(f.parent, f.name, this.symlinkNode(target, false));
  }

  linkSync(existing: string, path: string): void {
    const node = this.existing(existing, false, 'link');
    if (node.kind === 'dir') throw fsError('EPERM', 'link', existing);
    const f = this.creating(path, 'link');
    this.attach(f.parent, f.name, node);
  }

  unlinkSync(path: string): void {
    const f = this.removing(path, 'unlink');
    if (f.node.kind === 'dir') throw fsError('EISDIR', 'unlink', path);
    this.detach(f.parent, f.name);
  }

  rmdirSync(path: string): void {
    const f = this.removing(path, 'rmdir');
    if (f.node.kind !== 'dir') throw fsError('ENOTDIR', 'rmdir', path);
    if (f.node === this.root) throw fsError('EBUSY', 'rmdir', path);
    if (f.node.entries.size > 0) throw fsError('ENOTEMPTY', 'rmdir', path);
    this.detach(f.parent, f.name);
  }

  renameSync(from: string, to: string): void {
    const src = this.removing(from, 'rename');
    const dst = walk(this.root, to, false, 'rename');
    if (dst.name === '.') throw fsError(dst.node === this.root ? 'EBUSY' : 'EINVAL', 'rename', to);
    if (dst.parent.readOnly) throw fsError('EROFS', 'rename', to);
    if (dst.node === src.node) return;
    if (src.node.kind === 'dir') {
      if (dst.node !== undefined && dst.node.kind !== 'dir') throw fsError('ENOTDIR', 'rename', to);
      if (dst.node !== undefined && dst.node.entries.size > 0) throw fsError('ENOTEMPTY', 'rename', to);
      if (contains(src.node, dst.parent)) throw fsError('EINVAL', 'rename', to);
    } else if (dst.node !== undefined && dst.node.kind === 'dir') {
      throw fsError('EISDIR', 'rename', to);
    }
    if (dst.node !== undefined) this.detach(dst.parent, dst.name);
    src.parent.entries.delete(src.name);
    dst.parent.entries.set(dst.name, src.node);
  }

  isatty(_fd: number): boolean {
    return false;
  }

  private fd(fd: number, syscall: string): OpenFile {
    const o = this.open.get(fd);
    if (o === undefined) throw fsError('EBADF', syscall, '');
    return o;
  }

  private existing(path: string, follow: boolean, syscall: string): MemNode {
    const f = walk(this.root, path, follow, syscall);
    if (f.node === undefined) throw fsError('ENOENT', syscall, path);
    return f.node;
  }

  /** A name about to be made: absent, in a directory that may change. */
  private creating(path: string, syscall: string): Found {
    const f = walk(this.root, path, false, syscall);
    if (f.node !== undefined) throw fsError('EEXIST', syscall, path);
    if (f.parent.readOnly) throw fsError('EROFS', syscall, path);
    return f;
  }

  /** An entry about to be removed or moved: present, in a directory that may change. */
  private removing(path: string, syscall: string): Found & { node: MemNode } {
    const f = walk(this.root, path, false, syscall);
    if (f.node === undefined) throw fsError('ENOENT', syscall, path);
    if (f.name === '.') throw fsError(f.node === this.root ? 'EBUSY' : 'EINVAL', syscall, path);
    if (f.parent.readOnly) throw fsError('EROFS', syscall, path);
    return f as Found & { node: MemNode };
  }

  private detach(parent: MemDir, name: string): void {
    const node = parent.entries.get(name);
    parent.entries.delete(name);
    if (node !== undefined && node.kind !== 'dir') node.nlink--;
  }
}

/** Set a file's size, growing its buffer by doubling and keeping bytes beyond the size zero. */
function resize(file: MemFile, size: number): void {
  if (size > file.data.length) {
    const data = new Uint8Array(Math.max(size, Math.min(file.data.length * 2, size + 64 * 1024 * 1024), 4096));
    data.set(file.data.subarray(0, file.size));
    file.data = data;
  } else if (size < file.size) {
    file.data.fill(0, size, file.size);
  }
  file.size = size;
}

/** `dir` is `ancestor` or lies below it. */
function contains(ancestor: MemDir, dir: MemDir): boolean {
  if (ancestor === dir) return true;
  for (const child of ancestor.entries.values()) if (child.kind === 'dir' && contains(child, dir)) return true;
  return false;
}
