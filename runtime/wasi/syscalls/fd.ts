// fd_* calls. fd_read/fd_write are the hot path (clang reads hundreds of headers in small
// pieces): they go straight between the host fd and guest memory, no copies, no allocation.

import { E, FDFLAGS, FSTFLAGS, PREOPENTYPE_DIR, RIGHT, WHENCE } from '../constants.js';
import type { WasiContext } from '../context.js';
import { WasiErrno } from '../errno.js';
import { DirFd, type DirEntry, FileFd, type Fd } from '../fds.js';
import { encodeUtf8 } from '../memory.js';
import { need, needAny } from '../rights.js';
import type { Syscalls } from './types.js';

type Transfer = (f: Fd, ctx: WasiContext, ptr: number, len: number, pos: number) => number;

function vectored(ctx: WasiContext, f: Fd, iovs: number, n: number, outPtr: number, pos: number, op: Transfer): number {
  const mem = ctx.mem;
  mem.check(iovs, n * 8);
  mem.check(outPtr, 4);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const ptr = mem.u32(iovs + i * 8);
    const len = mem.u32(iovs + i * 8 + 4);
    if (len === 0) continue;
    const done = op(f, ctx, ptr, len, pos < 0 ? pos : pos + total);
    total += done;
    if (done < len) break;
  }
  mem.setU32(outPtr, total);
  return E.SUCCESS;
}

const readAt: Transfer = (f, ctx, ptr, len, pos) => (pos < 0 ? f.read(ctx, ptr, len) : f.pread(ctx, ptr, len, pos));
const writeAt: Transfer = (f, ctx, ptr, len, pos) => (pos < 0 ? f.write(ctx, ptr, len) : f.pwrite(ctx, ptr, len, pos));

function offset(v: bigint): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new WasiErrno(E.INVAL);
  return n;
}

const ALL_FSTFLAGS = FSTFLAGS.ATIM | FSTFLAGS.ATIM_NOW | FSTFLAGS.MTIM | FSTFLAGS.MTIM_NOW;
const ALL_FDFLAGS = FDFLAGS.APPEND | FDFLAGS.NONBLOCK | FDFLAGS.DSYNC | FDFLAGS.RSYNC | FDFLAGS.SYNC;

/** The (atim, mtim) pair a set_times call asks for; null keeps the current value. */
export function requestedTimes(ctx: WasiContext, atim: bigint, mtim: bigint, flags: number): [bigint | null, bigint | null] {
  if (flags & ~ALL_FSTFLAGS || (flags & FSTFLAGS.ATIM && flags & FSTFLAGS.ATIM_NOW) || (flags & FSTFLAGS.MTIM && flags & FSTFLAGS.MTIM_NOW)) {
    throw new WasiErrno(E.INVAL);
  }
  const now = ctx.clock.realtime;
  const a = flags & FSTFLAGS.ATIM ? atim : flags & FSTFLAGS.ATIM_NOW ? now : null;
  const m = flags & FSTFLAGS.MTIM ? mtim : flags & FSTFLAGS.MTIM_NOW ? now : null;
  return [a, m];
}

function dirEntries(ctx: WasiContext, d: DirFd): DirEntry[] {
  const entries: DirEntry[] = [];
  const self = d.filestat(ctx);
  entries.push({ name: encodeUtf8('.'), ino: self.ino, filetype: self.filetype });
  // '..' with inode 0, as WASI 0.2 components see it through the preview1 adapter (which makes
  // up that entry itself): one world under either ABI, and nothing said about a parent that may
  // lie outside the sandbox.
  entries.push({ name: encodeUtf8('..'), ino: 0n, filetype: self.filetype });
  for (const name of ctx.ns.list(d.loc)) {
    const ch = ctx.ns.child(d.loc, name);
    if (!ch.exists) continue;
    const st = ch.stat === null ? ctx.inodes.virtualDirStat(ch.loc.guest) : ctx.inodes.filestat(ch.stat);
    entries.push({ name: encodeUtf8(name), ino: st.ino, filetype: st.filetype });
  }
  return entries;
}

const DIRENT_SIZE = 24;

/** A descriptor with a position (pread, pwrite, seek, tell): a file; a stream is ESPIPE. */
function positioned(ctx: WasiContext, fd: number): FileFd {
  return ctx.fds.file(fd, E.SPIPE);
}

export const fdCalls: Syscalls = {
  fd_read: (ctx, fd: number, iovs: number, n: number, out: number) => {
    const f = ctx.fds.notDir(fd);
    need(f, RIGHT.FD_READ);
    return vectored(ctx, f, iovs, n, out, -1, readAt);
  },
  fd_write: (ctx, fd: number, iovs: number, n: number, out: number) => {
    const f = ctx.fds.notDir(fd);
    need(f, RIGHT.FD_WRITE);
    return vectored(ctx, f, iovs, n, out, -1, writeAt);
  },
  // "If rights::fd_seek is set, includes the right to invoke fd_pread" (and fd_pwrite).
  fd_pread: (ctx, fd: number, iovs: number, n: number, pos: bigint, out: number) => {
    const f = positioned(ctx, fd);
    need(f, RIGHT.FD_READ | RIGHT.FD_SEEK);
    return vectored(ctx, f, iovs, n, out, offset(pos), readAt);
  },
  fd_pwrite: (ctx, fd: number, iovs: number, n: number, pos: bigint, out: number) => {
    const f = positioned(ctx, fd);
    need(f, RIGHT.FD_WRITE | RIGHT.FD_SEEK);
    return vectored(ctx, f, iovs, n, out, offset(pos), writeAt);
  },

  fd_seek: (ctx, fd: number, off: bigint, whence: number, out: number) => {
    const f = positioned(ctx, fd);
    // fd_tell allows the one seek that moves nothing.
    if (off === 0n && whence === WHENCE.CUR) needAny(f, RIGHT.FD_SEEK | RIGHT.FD_TELL);
    else need(f, RIGHT.FD_SEEK);
    // Seeking the buffered descriptor itself needs no flush (SEEK_END flushes inside), but
    // another descriptor's SEEK_END must see the buffered bytes.
    if (ctx.buffered !== null && ctx.buffered !== f) ctx.buffered.flush();
    ctx.mem.check(out, 8);
    ctx.mem.setU64(out, f.seek(Number(off), whence));
    return E.SUCCESS;
  },
  // "fd_seek ... implies fd_tell".
  fd_tell: (ctx, fd: number, out: number) => {
    const f = positioned(ctx, fd);
    needAny(f, RIGHT.FD_TELL | RIGHT.FD_SEEK);
    ctx.mem.check(out, 8);
    ctx.mem.setU64(out, f.seek(0, WHENCE.CUR));
    return E.SUCCESS;
  },

  fd_close: (ctx, fd: number) => {
    ctx.fds.close(fd);
    return E.SUCCESS;
  },
  fd_renumber: (ctx, from: number, to: number) => {
    ctx.fds.renumber(from, to);
    return E.SUCCESS;
  },

  fd_fdstat_get: (ctx, fd: number, ptr: number) => {
    const f = ctx.fds.get(fd);
    const mem = ctx.mem;
    mem.check(ptr, 24);
    mem.dv.setUint8(ptr, f.filetype);
    mem.dv.setUint8(ptr + 1, 0);
    mem.dv.setUint16(ptr + 2, f.fdflags, true);
    mem.dv.setUint32(ptr + 4, 0, true);
    mem.setU64(ptr + 8, f.rightsBase);
    mem.setU64(ptr + 16, f.rightsInheriting);
    return E.SUCCESS;
  },
  fd_fdstat_set_flags: (ctx, fd: number, flags: number) => {
    const f = ctx.fds.get(fd);
    if (flags & ~ALL_FDFLAGS) return E.INVAL;
    need(f, RIGHT.FD_FDSTAT_SET_FLAGS);
    f.fdflags = flags;
    return E.SUCCESS;
  },
  fd_fdstat_set_rights: (ctx, fd: number, base: bigint, inheriting: bigint) => {
    const f = ctx.fds.get(fd);
    // Rights can only be dropped, never gained.
    if ((base & ~f.rightsBase) !== 0n || (inheriting & ~f.rightsInheriting) !== 0n) return E.NOTCAPABLE;
    f.rightsBase = base;
    f.rightsInheriting = inheriting;
    return E.SUCCESS;
  },

  fd_filestat_get: (ctx, fd: number, ptr: number) => {
    const f = ctx.fds.get(fd);
    need(f, RIGHT.FD_FILESTAT_GET);
    ctx.mem.writeFilestat(ptr, f.filestat(ctx));
    return E.SUCCESS;
  },
  fd_filestat_set_size: (ctx, fd: number, size: bigint) => {
    const f = ctx.fds.file(fd);
    need(f, RIGHT.FD_FILESTAT_SET_SIZE);
    f.setSize(ctx, offset(size));
    return E.SUCCESS;
  },
  fd_filestat_set_times: (ctx, fd: number, atim: bigint, mtim: bigint, flags: number) => {
    const f = ctx.fds.get(fd);
    const [a, m] = requestedTimes(ctx, atim, mtim, flags);
    need(f, RIGHT.FD_FILESTAT_SET_TIMES);
    f.setTimes(ctx, a, m);
    return E.SUCCESS;
  },

  fd_advise: (ctx, fd: number, _off: bigint, _len: bigint, advice: number) => {
    const f = ctx.fds.file(fd, E.SPIPE);
    if (advice < 0 || advice > 5) return E.INVAL;
    need(f, RIGHT.FD_ADVISE);
    return E.SUCCESS;
  },
  fd_allocate: (ctx, fd: number, off: bigint, len: bigint) => {
    const f = ctx.fds.file(fd, E.SPIPE);
    need(f, RIGHT.FD_ALLOCATE);
    const end = offset(off) + offset(len);
    if (end > f.filestat(ctx).size) f.setSize(ctx, end);
    return E.SUCCESS;
  },
  // Durability is the store's business (it fsyncs outputs when registering them).
  fd_datasync: (ctx, fd: number) => (need(ctx.fds.get(fd), RIGHT.FD_DATASYNC), E.SUCCESS),
  fd_sync: (ctx, fd: number) => (need(ctx.fds.get(fd), RIGHT.FD_SYNC), E.SUCCESS),

  fd_prestat_get: (ctx, fd: number, ptr: number) => {
    const f = ctx.fds.get(fd);
    if (!(f instanceof DirFd) || f.preopenName === null) return E.BADF;
    ctx.mem.check(ptr, 8);
    ctx.mem.dv.setUint32(ptr, PREOPENTYPE_DIR, true);
    ctx.mem.setU32(ptr + 4, encodeUtf8(f.preopenName).length);
    return E.SUCCESS;
  },
  fd_prestat_dir_name: (ctx, fd: number, ptr: number, len: number) => {
    const f = ctx.fds.get(fd);
    if (!(f instanceof DirFd) || f.preopenName === null) return E.BADF;
    const name = encodeUtf8(f.preopenName);
    if (len < name.length) return E.NAMETOOLONG;
    ctx.mem.writeBytes(ptr, len, name);
    return E.SUCCESS;
  },

  fd_readdir: (ctx, fd: number, buf: number, bufLen: number, cookie: bigint, usedPtr: number) => {
    const d = ctx.fds.dir(fd);
    need(d, RIGHT.FD_READDIR);
    const mem = ctx.mem;
    mem.check(buf, bufLen);
    mem.check(usedPtr, 4);
    // A listing is taken when reading starts over, so cookies stay valid while it is read.
    if (cookie === 0n || d.entries === null) d.entries = dirEntries(ctx, d);
    const entries = d.entries;
    let used = 0;
    for (let i = Number(cookie); i < entries.length && used < bufLen; i++) {
      const e = entries[i];
      const header = new Uint8Array(DIRENT_SIZE);
      const hv = new DataView(header.buffer);
      hv.setBigUint64(0, BigInt(i + 1), true);
      hv.setBigUint64(8, e.ino, true);
      hv.setUint32(16, e.name.length, true);
      hv.setUint8(20, e.filetype);
      // The last entry may be cut short; wasi-libc then retries with a bigger buffer.
      used += mem.writeBytes(buf + used, bufLen - used, header);
      if (used < bufLen) used += mem.writeBytes(buf + used, bufLen - used, e.name);
    }
    mem.setU32(usedPtr, used);
    return E.SUCCESS;
  },
};
