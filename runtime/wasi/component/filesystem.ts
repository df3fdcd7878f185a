// wasi:filesystem (types, preopens): a descriptor is a preview1 fd in the same fd table,
// and each method is the preview1 call the command adapter would have made.

import { FILETYPE, FSTFLAGS, LOOKUP_SYMLINK_FOLLOW, OFLAGS, RIGHTS, RIGHTS_DIR, RIGHTS_FILE } from '../constants.js';
import { type P1Bridge, P1Error, DATA, IOV, OUT } from './bridge.js';
import { errorCode } from './error-code.js';
import { InputStream, IoError, OutputStream, Thrown } from './streams.js';

const TYPES: Record<number, string> = {
  [FILETYPE.UNKNOWN]: 'unknown', [FILETYPE.BLOCK_DEVICE]: 'block-device',
  [FILETYPE.CHARACTER_DEVICE]: 'character-device', [FILETYPE.DIRECTORY]: 'directory',
  [FILETYPE.REGULAR_FILE]: 'regular-file', [FILETYPE.SOCKET_DGRAM]: 'socket',
  [FILETYPE.SOCKET_STREAM]: 'socket', [FILETYPE.SYMBOLIC_LINK]: 'symbolic-link',
};

interface Datetime { seconds: bigint; nanoseconds: number }
type NewTimestamp = { tag: 'no-change' } | { tag: 'now' } | { tag: 'timestamp'; val: Datetime };
interface PathFlags { symlinkFollow?: boolean }
interface OpenFlags { create?: boolean; directory?: boolean; exclusive?: boolean; truncate?: boolean }
interface DescriptorFlags { read?: boolean; write?: boolean; mutateDirectory?: boolean }

/** Run a preview1 call; its errno becomes the error-code jco hands to the guest. */
function fsCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof P1Error) throw new Thrown(errorCode(err.errno));
    throw err;
  }
}

/** WASI 0.2's datetime from nanoseconds. */
export const datetime = (ns: bigint): Datetime => ({ seconds: ns / 1_000_000_000n, nanoseconds: Number(ns % 1_000_000_000n) });
const toNs = (d: Datetime): bigint => d.seconds * 1_000_000_000n + BigInt(d.nanoseconds);

function times(a: NewTimestamp, m: NewTimestamp): [bigint, bigint, number] {
  let fst = 0;
  let atim = 0n;
  let mtim = 0n;
  if (a.tag === 'now') fst |= FSTFLAGS.ATIM_NOW;
  else if (a.tag === 'timestamp') (fst |= FSTFLAGS.ATIM), (atim = toNs(a.val));
  if (m.tag === 'now') fst |= FSTFLAGS.MTIM_NOW;
  else if (m.tag === 'timestamp') (fst |= FSTFLAGS.MTIM), (mtim = toNs(m.val));
  return [atim, mtim, fst];
}

function readStat(b: P1Bridge, ptr: number) {
  return {
    type: TYPES[b.dv.getUint8(ptr + 16)] ?? 'unknown',
    linkCount: b.u64(ptr + 24),
    size: b.u64(ptr + 32),
    dataAccessTimestamp: datetime(b.u64(ptr + 40)),
    dataModificationTimestamp: datetime(b.u64(ptr + 48)),
    statusChangeTimestamp: datetime(b.u64(ptr + 56)),
  };
}

const lookup = (f: PathFlags): number => (f.symlinkFollow ? LOOKUP_SYMLINK_FOLLOW : 0);

export class DirectoryEntryStream {
  constructor(private entries: { type: string; name: string }[]) {}
  readDirectoryEntry(): { type: string; name: string } | undefined {
    return this.entries.shift();
  }
}

export class Descriptor {
  constructor(private b: P1Bridge, readonly fd: number) {}

  readViaStream(offset: bigint): InputStream {
    return new InputStream(this.b, { fd: this.fd, offset });
  }
  writeViaStream(offset: bigint): OutputStream {
    return new OutputStream(this.b, { fd: this.fd, offset });
  }
  appendViaStream(): OutputStream {
    return new OutputStream(this.b, { fd: this.fd, offset: 0n, append: true });
  }
  advise(): void {}
  syncData(): void {
    fsCall(() => this.b.call('fd_datasync', this.fd));
  }
  sync(): void {
    fsCall(() => this.b.call('fd_sync', this.fd));
  }
  getFlags(): DescriptorFlags {
    return fsCall(() => {
      this.b.call('fd_fdstat_get', this.fd, OUT);
      const rights = this.b.u64(OUT + 8);
      const isDir = this.b.dv.getUint8(OUT) === FILETYPE.DIRECTORY;
      return {
        read: isDir || (rights & RIGHTS.FD_READ) !== 0n,
        write: (rights & RIGHTS.FD_WRITE) !== 0n,
        mutateDirectory: isDir && (rights & RIGHTS.PATH_CREATE_FILE) !== 0n,
      };
    });
  }
  getType(): string {
    return fsCall(() => {
      this.b.call('fd_fdstat_get', this.fd, OUT);
      return TYPES[this.b.dv.getUint8(OUT)] ?? 'unknown';
    });
  }
  setSize(size: bigint): void {
    fsCall(() => this.b.call('fd_filestat_set_size', this.fd, size));
  }
  setTimes(a: NewTimestamp, m: NewTimestamp): void {
    fsCall(() => this.b.call('fd_filestat_set_times', this.fd, ...times(a, m)));
  }
  read(len: bigint, offset: bigint): [Uint8Array, boolean] {
    return fsCall(() => {
      const n = Number(len);
      const b = this.b;
      b.ensure(DATA + n);
      b.dv.setUint32(IOV, DATA, true);
      b.dv.setUint32(IOV + 4, n, true);
      b.call('fd_pread', this.fd, IOV, 1, offset, OUT);
      const got = b.u32(OUT);
      return [b.u8.slice(DATA, DATA + got), got < n];
    });
  }
  write(buf: Uint8Array, offset: bigint): bigint {
    return fsCall(() => {
      const b = this.b;
      b.ensure(DATA + buf.length);
      b.u8.set(buf, DATA);
      b.dv.setUint32(IOV, DATA, true);
      b.dv.setUint32(IOV + 4, buf.length, true);
      b.call('fd_pwrite', this.fd, IOV, 1, offset, OUT);
      return BigInt(b.u32(OUT));
    });
  }
  readDirectory(): DirectoryEntryStream {
    return fsCall(() => {
      const b = this.b;
      const entries: { type: string; name: string }[] = [];
      let cookie = 0n;
      const size = 64 * 1024;
      for (;;) {
        b.ensure(DATA + size);
        b.call('fd_readdir', this.fd, DATA, size, cookie, OUT);
        const used = b.u32(OUT);
        let p = DATA;
        let progressed = false;
        while (p + 24 <= DATA + used) {
          const namlen = b.u32(p + 16);
          if (p + 24 + namlen > DATA + used) break; // cut short: read again from this cookie
          const name = Buffer.from(b.u8.subarray(p + 24, p + 24 + namlen)).toString('utf8');
          if (name !== '.' && name !== '..') entries.push({ type: TYPES[b.dv.getUint8(p + 20)] ?? 'unknown', name });
          cookie = b.u64(p);
          p += 24 + namlen;
          progressed = true;
        }
        if (used < size || !progressed) break;
      }
      return new DirectoryEntryStream(entries);
    });
  }
  createDirectoryAt(path: string): void {
    fsCall(() => this.b.call('path_create_directory', this.fd, ...this.b.putString(path)));
  }
  stat() {
    return fsCall(() => {
      this.b.call('fd_filestat_get', this.fd, OUT);
      return readStat(this.b, OUT);
    });
  }
  statAt(flags: PathFlags, path: string) {
    return fsCall(() => {
      this.b.call('path_filestat_get', this.fd, lookup(flags), ...this.b.putString(path), OUT);
      return readStat(this.b, OUT);
    });
  }
  setTimesAt(flags: PathFlags, path: string, a: NewTimestamp, m: NewTimestamp): void {
    fsCall(() => this.b.call('path_filestat_set_times', this.fd, lookup(flags), ...this.b.putString(path), ...times(a, m)));
  }
  linkAt(flags: PathFlags, oldPath: string, newDir: Descriptor, newPath: string): void {
    fsCall(() => {
      const [op, ol] = this.b.putString(oldPath);
      const [np, nl] = this.b.putString(newPath, ol);
      this.b.call('path_link', this.fd, lookup(flags), op, ol, newDir.fd, np, nl);
    });
  }
  openAt(flags: PathFlags, path: string, open: OpenFlags, dflags: DescriptorFlags): Descriptor {
    return fsCall(() => {
      const oflags = (open.create ? OFLAGS.CREAT : 0) | (open.directory ? OFLAGS.DIRECTORY : 0)
        | (open.exclusive ? OFLAGS.EXCL : 0) | (open.truncate ? OFLAGS.TRUNC : 0);
      const all = RIGHTS_FILE | RIGHTS_DIR;
      let rights = all & ~(RIGHTS.FD_READ | RIGHTS.FD_WRITE);
      if (dflags.read) rights |= RIGHTS.FD_READ;
      if (dflags.write) rights |= RIGHTS.FD_WRITE;
      this.b.call('path_open', this.fd, lookup(flags), ...this.b.putString(path), oflags, rights, all, 0, OUT);
      return new Descriptor(this.b, this.b.u32(OUT));
    });
  }
  readlinkAt(path: string): string {
    return fsCall(() => {
      const b = this.b;
      const [pp, pl] = b.putString(path);
      const buf = DATA + pl + 8;
      b.ensure(buf + 4096);
      b.call('path_readlink', this.fd, pp, pl, buf, 4096, OUT);
      return Buffer.from(b.u8.subarray(buf, buf + b.u32(OUT))).toString('utf8');
    });
  }
  removeDirectoryAt(path: string): void {
    fsCall(() => this.b.call('path_remove_directory', this.fd, ...this.b.putString(path)));
  }
  renameAt(oldPath: string, newDir: Descriptor, newPath: string): void {
    fsCall(() => {
      const [op, ol] = this.b.putString(oldPath);
      const [np, nl] = this.b.putString(newPath, ol);
      this.b.call('path_rename', this.fd, op, ol, newDir.fd, np, nl);
    });
  }
  symlinkAt(oldPath: string, newPath: string): void {
    fsCall(() => {
      const [op, ol] = this.b.putString(oldPath);
      const [np, nl] = this.b.putString(newPath, ol);
      this.b.call('path_symlink', op, ol, this.fd, np, nl);
    });
  }
  unlinkFileAt(path: string): void {
    fsCall(() => this.b.call('path_unlink_file', this.fd, ...this.b.putString(path)));
  }
  isSameObject(other: Descriptor): boolean {
    const a = this.metadataHash();
    const o = other.metadataHash();
    return a.lower === o.lower && a.upper === o.upper;
  }
  /** The adapter reports `lower` as the inode number, so this is the virtual (dev, ino). */
  metadataHash(): { lower: bigint; upper: bigint } {
    return fsCall(() => {
      this.b.call('fd_filestat_get', this.fd, OUT);
      return { lower: this.b.u64(OUT + 8), upper: this.b.u64(OUT) };
    });
  }
  metadataHashAt(flags: PathFlags, path: string): { lower: bigint; upper: bigint } {
    return fsCall(() => {
      this.b.call('path_filestat_get', this.fd, lookup(flags), ...this.b.putString(path), OUT);
      return { lower: this.b.u64(OUT + 8), upper: this.b.u64(OUT) };
    });
  }
}

/** wasi:filesystem/types.filesystem-error-code: the code a stream failure carried. */
export function filesystemErrorCode(err: IoError): string | undefined {
  return err instanceof IoError ? err.code : undefined;
}

/** The preview1 preopens (fd 3 = "." = the working directory, then each mount root), in fd order. */
export function preopens(b: P1Bridge): [Descriptor, string][] {
  const out: [Descriptor, string][] = [];
  for (let fd = 3; ; fd++) {
    try {
      b.call('fd_prestat_get', fd, OUT);
    } catch {
      break;
    }
    const len = b.u32(OUT + 4);
    b.ensure(DATA + len);
    b.call('fd_prestat_dir_name', fd, DATA, len);
    out.push([new Descriptor(b, fd), Buffer.from(b.u8.subarray(DATA, DATA + len)).toString('utf8')]);
  }
  return out;
}
