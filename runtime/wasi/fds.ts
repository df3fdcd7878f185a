// Open file descriptions. An Fd is a handle (position, flags, rights) over something in
// the namespace or over a stdio stream; every operation it does not support is EBADF,
// ESPIPE or ENOTSUP, as POSIX would answer.

import { ALL_RIGHTS, E, FDFLAGS, FILETYPE, RIGHTS_DIR, RIGHTS_FILE, WHENCE } from './constants.js';
import { WasiErrno } from './errno.js';
import type { HostFs } from './host-fs.js';
import type { Inodes } from './inodes.js';
import type { LogBudget } from './log-budget.js';
import type { Filestat, GuestMemory } from './memory.js';
import type { OutputBudget } from './output-budget.js';
import type { Loc, Namespace } from './vfs.js';

/** What an open description needs of the run (the run's WasiContext is one). */
export interface FdContext {
  /** The files behind the mounts (host-fs.ts). */
  fs: HostFs;
  mem: GuestMemory;
  ns: Namespace;
  inodes: Inodes;
  output: OutputBudget;
  /** What the guest may still write to its log files (stdout and stderr as files). */
  log: LogBudget;
  /** The one file descriptor holding buffered writes, if any (see FileFd). Every system
   * call except fd_write/fd_seek/fd_tell flushes it first, so nothing can observe the
   * file without the buffered bytes. */
  buffered: FileFd | null;
  /** The bytes `buffered` holds (1 MiB, one per run). */
  writeBuffer: Uint8Array;
}

export abstract class Fd {
  abstract readonly filetype: number;
  private base = 0n;
  /** rightsBase as a number: every preview1 right is one of bits 0..29, so the checks on the hot
   * path (fd_read, fd_write: clang makes hundreds of thousands) allocate no BigInt. */
  baseMask = 0;
  rightsInheriting: bigint = 0n;

  get rightsBase(): bigint {
    return this.base;
  }
  set rightsBase(rights: bigint) {
    this.base = rights;
    this.baseMask = Number(rights & ALL_RIGHTS);
  }
  fdflags = 0;

  /** Read at the current position into guest memory [ptr, ptr+len). */
  read(_ctx: FdContext, _ptr: number, _len: number): number {
    throw new WasiErrno(E.BADF);
  }
  pread(_ctx: FdContext, _ptr: number, _len: number, _pos: number): number {
    throw new WasiErrno(E.SPIPE);
  }
  write(_ctx: FdContext, _ptr: number, _len: number): number {
    throw new WasiErrno(E.BADF);
  }
  pwrite(_ctx: FdContext, _ptr: number, _len: number, _pos: number): number {
    throw new WasiErrno(E.SPIPE);
  }
  seek(_offset: number, _whence: number): number {
    throw new WasiErrno(E.SPIPE);
  }
  abstract filestat(ctx: FdContext): Filestat;
  setSize(_ctx: FdContext, _size: number): void {
    throw new WasiErrno(E.INVAL);
  }
  setTimes(_ctx: FdContext, _atim: bigint | null, _mtim: bigint | null): void {
    throw new WasiErrno(E.NOTSUP);
  }
  sync(): void {}
  /** Bytes a read would return now, for poll_oneoff. */
  readable(): number {
    return 0;
  }
  close(): void {}
}

/** Writes smaller than this are gathered before reaching the host: clang writes its
 * object files in tens of thousands of few-byte pieces, then back-patches thousands of
 * section and function sizes, so the window (one per run, see FdContext.buffered) is
 * large enough to hold a typical object file whole. */
const SMALL_WRITE = 16 * 1024;

/** A regular file in a mount, backed by a host fd; position kept here (pread/pwrite). */
export class FileFd extends Fd {
  readonly filetype = FILETYPE.REGULAR_FILE;
  pos = 0;
  private wbufLen = 0;
  /** File offset of wbuf[0]. */
  private wbufAt = 0;
  private ctx: FdContext | null = null;
  private readonly fs: HostFs;
  constructor(
    fs: HostFs,
    readonly hostFd: number,
    readonly loc: Loc,
    /** What the host descriptor was opened for; the guest's rights (checked by the syscalls)
     * are within it, so these only guard against a host-side mistake. */
    readonly canRead: boolean,
    readonly canWrite: boolean,
    rightsBase: bigint,
    fdflags: number,
  ) {
    super();
    this.fs = fs;
    this.rightsBase = rightsBase & RIGHTS_FILE;
    this.fdflags = fdflags;
  }
  override read(ctx: FdContext, ptr: number, len: number): number {
    const n = this.pread(ctx, ptr, len, this.pos);
    this.pos += n;
    return n;
  }
  override pread(ctx: FdContext, ptr: number, len: number, pos: number): number {
    if (!this.canRead) throw new WasiErrno(E.BADF);
    ctx.mem.check(ptr, len);
    return this.fs.readSync(this.hostFd, ctx.mem.u8, ptr, len, pos);
  }
  override write(ctx: FdContext, ptr: number, len: number): number {
    if (!this.canWrite) throw new WasiErrno(E.BADF);
    ctx.mem.check(ptr, len);
    if (this.fdflags & FDFLAGS.APPEND) {
      this.flush();
      this.pos = this.fs.fstatSync(this.hostFd).size;
    }
    ctx.output.charge(len);
    if (len < SMALL_WRITE) {
      const pos = this.pos;
      if (this.wbufLen > 0) {
        const end = this.wbufAt + this.wbufLen;
        if (pos + len <= this.wbufAt) {
          // Patching bytes already written (object writers back-patch section sizes):
          // disjoint from the buffer, so it can go straight to the host.
          const n = this.fs.writeSync(this.hostFd, ctx.mem.u8, ptr, len, pos);
          this.pos += n;
          return n;
        }
        if (pos < this.wbufAt || pos > end || pos + len - this.wbufAt > ctx.writeBuffer.length) this.flush();
      }
      if (ctx.buffered !== this) {
        ctx.buffered?.flush();
        ctx.buffered = this;
        this.ctx = ctx;
      }
      if (this.wbufLen === 0) this.wbufAt = pos;
      const at = pos - this.wbufAt;
      ctx.writeBuffer.set(ctx.mem.u8.subarray(ptr, ptr + len), at);
      if (at + len > this.wbufLen) this.wbufLen = at + len;
      this.pos += len;
      return len;
    }
    this.flush();
    const n = this.fs.writeSync(this.hostFd, ctx.mem.u8, ptr, len, this.pos);
    this.pos += n;
    return n;
  }
  override pwrite(ctx: FdContext, ptr: number, len: number, pos: number): number {
    if (!this.canWrite) throw new WasiErrno(E.BADF);
    ctx.mem.check(ptr, len);
    ctx.output.charge(len);
    return this.fs.writeSync(this.hostFd, ctx.mem.u8, ptr, len, pos);
  }
  /** Write out buffered bytes. */
  flush(): void {
    if (this.ctx !== null && this.ctx.buffered === this) this.ctx.buffered = null;
    if (this.wbufLen === 0) return;
    const len = this.wbufLen;
    this.wbufLen = 0;
    let done = 0;
    const buf = this.ctx!.writeBuffer;
    while (done < len) done += this.fs.writeSync(this.hostFd, buf, done, len - done, this.wbufAt + done);
  }
  override seek(offset: number, whence: number): number {
    let base: number;
    if (whence === WHENCE.SET) base = 0;
    else if (whence === WHENCE.CUR) base = this.pos;
    else if (whence === WHENCE.END) {
      this.flush();
      base = this.fs.fstatSync(this.hostFd).size;
    } else throw new WasiErrno(E.INVAL);
    const p = base + offset;
    if (p < 0 || !Number.isSafeInteger(p)) throw new WasiErrno(E.INVAL);
    this.pos = p;
    return p;
  }
  filestat(ctx: FdContext): Filestat {
    return ctx.inodes.filestat(this.fs.fstatSync(this.hostFd));
  }
  override setSize(ctx: FdContext, size: number): void {
    if (!this.canWrite) throw new WasiErrno(E.BADF);
    const cur = this.fs.fstatSync(this.hostFd).size;
    if (size > cur) ctx.output.charge(size - cur);
    this.fs.ftruncateSync(this.hostFd, size);
  }
  override setTimes(ctx: FdContext, atim: bigint | null, mtim: bigint | null): void {
    if (this.loc.mount === null || !this.loc.mount.writable) throw new WasiErrno(E.ROFS);
    ctx.inodes.setTimes(ctx.inodes.ofHost(this.fs.fstatSync(this.hostFd)), atim, mtim);
  }
  override readable(): number {
    return Math.max(0, this.fs.fstatSync(this.hostFd).size - this.pos);
  }
  override close(): void {
    try {
      this.flush();
    } finally {
      this.fs.closeSync(this.hostFd);
    }
  }
}

export interface DirEntry {
  name: Uint8Array;
  ino: bigint;
  filetype: number;
}

/** A directory: only a location; listings are taken when the guest reads from cookie 0. */
export class DirFd extends Fd {
  readonly filetype = FILETYPE.DIRECTORY;
  entries: DirEntry[] | null = null;
  constructor(
    readonly loc: Loc,
    rightsBase: bigint,
    rightsInheriting: bigint,
    /** Set for preopens: the name wasi-libc matches path prefixes against. */
    readonly preopenName: string | null = null,
  ) {
    super();
    this.rightsBase = rightsBase & RIGHTS_DIR;
    this.rightsInheriting = rightsInheriting;
  }
  filestat(ctx: FdContext): Filestat {
    const st = ctx.ns.lstat(this.loc);
    if (st === null) {
      if (this.loc.vdir !== null) return ctx.inodes.virtualDirStat(this.loc.guest);
      throw new WasiErrno(E.NOENT);
    }
    return ctx.inodes.filestat(st);
  }
  override setTimes(ctx: FdContext, atim: bigint | null, mtim: bigint | null): void {
    if (this.loc.mount === null || !this.loc.mount.writable) throw new WasiErrno(E.ROFS);
    const st = ctx.ns.lstat(this.loc);
    if (st === null) throw new WasiErrno(E.NOENT);
    ctx.inodes.setTimes(ctx.inodes.ofHost(st), atim, mtim);
  }
}
