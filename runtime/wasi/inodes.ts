// Virtual inode numbers and timestamps. Numbers are handed out in the order the guest
// first observes a file, so they depend only on what the guest did, never on the host.

import { FILETYPE, FIXED_TIME_NS } from './constants.js';
import type { HostStats } from './host-fs.js';
import type { Filestat } from './memory.js';

export const VIRTUAL_DEV = 1n;
const DIR_SIZE = 4096n;

interface Times {
  atim: bigint;
  mtim: bigint;
}

export class Inodes {
  private byKey = new Map<string, bigint>();
  private times = new Map<bigint, Times>();
  private next = 1n;

  private key(st: HostStats): string {
    return `${st.dev}:${st.ino}`;
  }

  /** The virtual number of a host file (hard links share one, as on the host). */
  ofHost(st: HostStats): bigint {
    const k = this.key(st);
    let ino = this.byKey.get(k);
    if (ino === undefined) {
      ino = this.next++;
      this.byKey.set(k, ino);
    }
    return ino;
  }

  /** A file the guest just created: forget whatever an earlier file with the same host
   * inode number was called, because hosts reuse numbers at different moments. */
  created(st: HostStats): void {
    const k = this.key(st);
    const old = this.byKey.get(k);
    if (old !== undefined) this.times.delete(old);
    this.byKey.delete(k);
  }

  ofVirtual(guestPath: string): bigint {
    const k = 'v:' + guestPath;
    let ino = this.byKey.get(k);
    if (ino === undefined) {
      ino = this.next++;
      this.byKey.set(k, ino);
    }
    return ino;
  }

  setTimes(ino: bigint, atim: bigint | null, mtim: bigint | null): void {
    const t = this.times.get(ino) ?? { atim: FIXED_TIME_NS, mtim: FIXED_TIME_NS };
    if (atim !== null) t.atim = atim;
    if (mtim !== null) t.mtim = mtim;
    this.times.set(ino, t);
  }

  filestat(st: HostStats): Filestat {
    const ino = this.ofHost(st);
    const t = this.times.get(ino);
    const filetype = filetypeOf(st);
    return {
      dev: VIRTUAL_DEV,
      ino,
      filetype,
      // Directory link counts and sizes differ between host file systems (ext4, btrfs,
      // tmpfs), so they are reported as constants.
      nlink: filetype === FILETYPE.DIRECTORY ? 1n : BigInt(st.nlink),
      size: filetype === FILETYPE.DIRECTORY ? DIR_SIZE : BigInt(st.size),
      atim: t?.atim ?? FIXED_TIME_NS,
      mtim: t?.mtim ?? FIXED_TIME_NS,
      ctim: FIXED_TIME_NS,
    };
  }

  virtualDirStat(guestPath: string): Filestat {
    return {
      dev: VIRTUAL_DEV, ino: this.ofVirtual(guestPath), filetype: FILETYPE.DIRECTORY,
      nlink: 1n, size: DIR_SIZE, atim: FIXED_TIME_NS, mtim: FIXED_TIME_NS, ctim: FIXED_TIME_NS,
    };
  }
}

export function filetypeOf(st: HostStats): number {
  if (st.isFile()) return FILETYPE.REGULAR_FILE;
  if (st.isDirectory()) return FILETYPE.DIRECTORY;
  if (st.isSymbolicLink()) return FILETYPE.SYMBOLIC_LINK;
  if (st.isCharacterDevice()) return FILETYPE.CHARACTER_DEVICE;
  if (st.isBlockDevice()) return FILETYPE.BLOCK_DEVICE;
  if (st.isSocket()) return FILETYPE.SOCKET_STREAM;
  return FILETYPE.UNKNOWN;
}
