// path_* calls. Paths are resolved by the namespace (vfs.ts); only then is a host path
// touched, and only with calls that do not follow a final symlink.

import fs from 'node:fs';
import { E, LOOKUP_SYMLINK_FOLLOW, OFLAGS, RIGHTS } from '../constants.js';
import type { WasiContext } from '../context.js';
import { WasiErrno } from '../errno.js';
import { DirFd, FileFd } from '../fds.js';
import { encodeUtf8 } from '../memory.js';
import type { Loc, Resolved } from '../vfs.js';
import { requestedTimes } from './fd.js';
import type { Syscalls } from './types.js';

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_NOFOLLOW } = fs.constants;
const O_CLOEXEC = 0o2000000;

function resolveAt(ctx: WasiContext, fd: number, ptr: number, len: number, follow: boolean): Resolved {
  const dir = ctx.fds.dir(fd);
  return ctx.ns.resolve(dir.loc, ctx.mem.string(ptr, len), follow);
}

/** The host path of a place the guest may change, or the errno saying why not. */
function writableHost(loc: Loc): string {
  if (loc.host === null || loc.mount === null) throw new WasiErrno(loc.vdir !== null ? E.ISDIR : E.ROFS);
  if (!loc.mount.writable) throw new WasiErrno(E.ROFS);
  return loc.host;
}

/** A mount point itself cannot be removed or renamed, except a declared output. */
function notMountRoot(r: Resolved): void {
  if (r.loc.vdir !== null) throw new WasiErrno(E.BUSY);
  if (r.loc.mount !== null && r.loc.host === r.loc.mount.host && !r.loc.mount.output) throw new WasiErrno(E.BUSY);
  if (r.name === '.') throw new WasiErrno(E.INVAL);
}

function pathOpen(
  ctx: WasiContext, fd: number, dirflags: number, ptr: number, len: number, oflags: number,
  rightsBase: bigint, rightsInheriting: bigint, fdflags: number, out: number,
): number {
  ctx.mem.check(out, 4);
  const r = resolveAt(ctx, fd, ptr, len, (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0);
  const wantRead = (rightsBase & RIGHTS.FD_READ) !== 0n;
  const wantWrite = (rightsBase & RIGHTS.FD_WRITE) !== 0n;
  const trunc = (oflags & OFLAGS.TRUNC) !== 0;
  const wantDir = (oflags & OFLAGS.DIRECTORY) !== 0 || r.mustBeDir;
  if (r.exists) {
    if (oflags & OFLAGS.CREAT && oflags & OFLAGS.EXCL) return E.EXIST;
    const st = r.stat;
    if (st === null || st.isDirectory()) {
      if (wantWrite || trunc) return E.ISDIR;
      const parentRights = ctx.fds.dir(fd).rightsInheriting;
      ctx.mem.setU32(out, ctx.fds.add(new DirFd(r.loc, rightsBase & parentRights, rightsInheriting & parentRights)));
      return E.SUCCESS;
    }
    if (st.isSymbolicLink()) return E.LOOP;
    if (!st.isFile()) return E.NOTSUP;
    if (wantDir) return E.NOTDIR;
    if (wantWrite || trunc) writableHost(r.loc);
    const flags = (wantWrite ? (wantRead ? O_RDWR : O_WRONLY) : O_RDONLY) | (trunc ? O_TRUNC : 0) | O_NOFOLLOW | O_CLOEXEC;
    const hostFd = fs.openSync(r.loc.host!, flags);
    const f = new FileFd(hostFd, r.loc, wantRead || !wantWrite, wantWrite, rightsBase, fdflags);
    ctx.mem.setU32(out, ctx.fds.add(f));
    return E.SUCCESS;
  }
  if (!(oflags & OFLAGS.CREAT)) return E.NOENT;
  if (wantDir) return E.ISDIR;
  const host = writableHost(r.loc);
  const hostFd = fs.openSync(host, (wantRead ? O_RDWR : O_WRONLY) | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644);
  ctx.inodes.created(fs.fstatSync(hostFd));
  const f = new FileFd(hostFd, r.loc, wantRead, true, rightsBase | RIGHTS.FD_WRITE, fdflags);
  ctx.mem.setU32(out, ctx.fds.add(f));
  return E.SUCCESS;
}

export const pathCalls: Syscalls = {
  path_open: pathOpen,

  path_filestat_get: (ctx, fd: number, flags: number, ptr: number, len: number, buf: number) => {
    const r = resolveAt(ctx, fd, ptr, len, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0);
    if (!r.exists) return E.NOENT;
    const st = r.stat === null ? ctx.inodes.virtualDirStat(r.loc.guest) : ctx.inodes.filestat(r.stat);
    ctx.mem.writeFilestat(buf, st);
    return E.SUCCESS;
  },

  path_filestat_set_times: (ctx, fd: number, flags: number, ptr: number, len: number, atim: bigint, mtim: bigint, fst: number) => {
    const [a, m] = requestedTimes(ctx, atim, mtim, fst);
    const r = resolveAt(ctx, fd, ptr, len, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0);
    if (!r.exists) return E.NOENT;
    writableHost(r.loc);
    ctx.inodes.setTimes(ctx.inodes.ofHost(r.stat!), a, m);
    return E.SUCCESS;
  },

  path_create_directory: (ctx, fd: number, ptr: number, len: number) => {
    const r = resolveAt(ctx, fd, ptr, len, false);
    if (r.exists) return E.EXIST;
    fs.mkdirSync(writableHost(r.loc), 0o755);
    ctx.inodes.created(fs.lstatSync(r.loc.host!));
    return E.SUCCESS;
  },

  path_remove_directory: (ctx, fd: number, ptr: number, len: number) => {
    const r = resolveAt(ctx, fd, ptr, len, false);
    if (!r.exists) return E.NOENT;
    notMountRoot(r);
    if (r.stat !== null && !r.stat.isDirectory()) return E.NOTDIR;
    fs.rmdirSync(writableHost(r.loc));
    return E.SUCCESS;
  },

  path_unlink_file: (ctx, fd: number, ptr: number, len: number) => {
    const r = resolveAt(ctx, fd, ptr, len, false);
    if (!r.exists) return E.NOENT;
    if (r.mustBeDir) return E.NOTDIR;
    notMountRoot(r);
    if (r.stat === null || r.stat.isDirectory()) return E.ISDIR;
    fs.unlinkSync(writableHost(r.loc));
    return E.SUCCESS;
  },

  path_rename: (ctx, fd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) => {
    const src = resolveAt(ctx, fd, oldPtr, oldLen, false);
    const dst = resolveAt(ctx, newFd, newPtr, newLen, false);
    if (!src.exists) return E.NOENT;
    notMountRoot(src);
    if (dst.exists) notMountRoot(dst);
    const from = writableHost(src.loc);
    const to = writableHost(dst.loc);
    // Across writable mounts the host decides (EXDEV if they are different file systems).
    fs.renameSync(from, to);
    return E.SUCCESS;
  },

  path_link: (ctx, oldFd: number, oldFlags: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) => {
    const src = resolveAt(ctx, oldFd, oldPtr, oldLen, (oldFlags & LOOKUP_SYMLINK_FOLLOW) !== 0);
    const dst = resolveAt(ctx, newFd, newPtr, newLen, false);
    if (!src.exists) return E.NOENT;
    if (dst.exists) return E.EXIST;
    if (src.stat === null || src.stat.isDirectory()) return E.PERM;
    // A hard link to an input would make it writable through the link: never across mounts.
    if (src.loc.mount !== dst.loc.mount) return E.XDEV;
    fs.linkSync(writableHost(src.loc), writableHost(dst.loc));
    return E.SUCCESS;
  },

  path_symlink: (ctx, targetPtr: number, targetLen: number, fd: number, ptr: number, len: number) => {
    const target = ctx.mem.string(targetPtr, targetLen);
    const r = resolveAt(ctx, fd, ptr, len, false);
    if (r.exists) return E.EXIST;
    const host = writableHost(r.loc);
    // The target is stored as given; it is only ever interpreted by the namespace.
    fs.symlinkSync(target, host);
    ctx.inodes.created(fs.lstatSync(host));
    return E.SUCCESS;
  },

  path_readlink: (ctx, fd: number, ptr: number, len: number, buf: number, bufLen: number, usedPtr: number) => {
    const r = resolveAt(ctx, fd, ptr, len, false);
    if (!r.exists) return E.NOENT;
    if (r.stat === null || !r.stat.isSymbolicLink()) return E.INVAL;
    ctx.mem.check(usedPtr, 4);
    const n = ctx.mem.writeBytes(buf, bufLen, encodeUtf8(fs.readlinkSync(r.loc.host!)));
    ctx.mem.setU32(usedPtr, n);
    return E.SUCCESS;
  },
};
