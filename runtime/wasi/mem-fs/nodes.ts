// The in-memory file system's inodes: regular files (bytes and a size), directories (named
// entries) and symlinks (a target), with the metadata the host reads (host-fs.ts, HostStats).
// Modification times are not kept: the host never reads a host file's times (inodes.ts keeps
// the guest's own), so a tree in memory needs none.

import type { HostStats } from '../host-fs.js';

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

interface NodeBase {
  ino: number;
  /** Permission bits only; the type is the node's kind. */
  perm: number;
  nlink: number;
  /** Part of a read-only tree (an input mounted from a NAR): changing it is EROFS. */
  readOnly: boolean;
}

export interface MemFile extends NodeBase {
  kind: 'file';
  /** The contents are data[0, size); data may be longer (room to grow) and is zero beyond size. */
  data: Uint8Array;
  size: number;
}

export interface MemDir extends NodeBase {
  kind: 'dir';
  entries: Map<string, MemNode>;
}

export interface MemLink extends NodeBase {
  kind: 'symlink';
  target: string;
}

export type MemNode = MemFile | MemDir | MemLink;

/** An error as node:fs throws it: the POSIX name in `code`, which errno.ts maps for the guest. */
export function fsError(code: string, syscall: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });
}

export class MemStats implements HostStats {
  readonly dev = 1;
  readonly ino: number;
  readonly mode: number;
  readonly nlink: number;
  readonly size: number;
  private readonly kind: MemNode['kind'];

  constructor(node: MemNode) {
    this.kind = node.kind;
    this.ino = node.ino;
    if (node.kind === 'file') {
      this.mode = S_IFREG | node.perm;
      this.size = node.size;
      this.nlink = node.nlink;
    } else if (node.kind === 'dir') {
      this.mode = S_IFDIR | node.perm;
      // As ext4 reports them: a block, and one link from the parent, one from '.', one per '..'.
      this.size = 4096;
      let subdirs = 0;
      for (const child of node.entries.values()) if (child.kind === 'dir') subdirs++;
      this.nlink = 2 + subdirs;
    } else {
      this.mode = S_IFLNK | node.perm;
      this.size = new TextEncoder().encode(node.target).length;
      this.nlink = node.nlink;
    }
  }

  isFile(): boolean {
    return this.kind === 'file';
  }
  isDirectory(): boolean {
    return this.kind === 'dir';
  }
  isSymbolicLink(): boolean {
    return this.kind === 'symlink';
  }
  isCharacterDevice(): boolean {
    return false;
  }
  isBlockDevice(): boolean {
    return false;
  }
  isSocket(): boolean {
    return false;
  }
}
