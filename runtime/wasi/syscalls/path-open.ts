// path_open: the one call that makes descriptors. The directory's own rights gate each oflag;
// the new descriptor gets exactly the rights asked for, less those that do not apply to what was
// opened, and never more than the directory's inheriting rights (preview1: "The implementation
// is allowed to return a file descriptor with fewer rights than specified, if and only if those
// rights do not apply to the type of file being opened").

import { E, FDFLAGS, LOOKUP_SYMLINK_FOLLOW, OFLAGS, RIGHT, RIGHTS, RIGHTS_DIR, RIGHTS_FILE } from '../constants.js';
import type { WasiContext } from '../context.js';
import { DirFd, FileFd } from '../fds.js';
import { need, needAny, needInheritable } from '../rights.js';
import { writableHost } from './path-common.js';

const O_CLOEXEC = 0o2000000;
const ALL_OFLAGS = OFLAGS.CREAT | OFLAGS.DIRECTORY | OFLAGS.EXCL | OFLAGS.TRUNC;
const ALL_FDFLAGS = FDFLAGS.APPEND | FDFLAGS.DSYNC | FDFLAGS.NONBLOCK | FDFLAGS.RSYNC | FDFLAGS.SYNC;

/** The rights of the directory that a path_open with these flags uses (typenames.witx, `rights`). */
function dirRightsFor(oflags: number, fdflags: number): number {
  let r = RIGHT.PATH_OPEN;
  if (oflags & OFLAGS.CREAT) r |= RIGHT.PATH_CREATE_FILE;
  if (oflags & OFLAGS.TRUNC) r |= RIGHT.PATH_FILESTAT_SET_SIZE;
  // fd_sync "includes the right to invoke path_open with fdflags::rsync and fdflags::dsync"
  // (and sync, by the same token); fd_datasync that with dsync alone.
  if (fdflags & (FDFLAGS.RSYNC | FDFLAGS.SYNC)) r |= RIGHT.FD_SYNC;
  return r;
}

export function pathOpen(
  ctx: WasiContext, fd: number, dirflags: number, ptr: number, len: number, oflags: number,
  rightsBase: bigint, rightsInheriting: bigint, fdflags: number, out: number,
): number {
  if (dirflags & ~LOOKUP_SYMLINK_FOLLOW || oflags & ~ALL_OFLAGS || fdflags & ~ALL_FDFLAGS) return E.INVAL;
  ctx.mem.check(out, 4);
  const dir = ctx.fds.dir(fd);
  need(dir, dirRightsFor(oflags, fdflags));
  if (fdflags & FDFLAGS.DSYNC) needAny(dir, RIGHT.FD_DATASYNC | RIGHT.FD_SYNC);
  needInheritable(dir, rightsBase | rightsInheriting);

  const path = ctx.mem.string(ptr, len);
  const fs = ctx.fs;
  const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_NOFOLLOW } = fs.constants;
  const r = ctx.ns.resolve(dir.loc, path, dirflags & LOOKUP_SYMLINK_FOLLOW ? 'follow' : 'nofollow');
  const wantRead = (rightsBase & RIGHTS.FD_READ) !== 0n;
  const wantWrite = (rightsBase & RIGHTS.FD_WRITE) !== 0n;
  const creat = (oflags & OFLAGS.CREAT) !== 0;
  const trunc = (oflags & OFLAGS.TRUNC) !== 0;
  const wantDir = (oflags & OFLAGS.DIRECTORY) !== 0 || r.mustBeDir;
  // The host descriptor is opened for what the rights allow, so a write without fd_write fails
  // on the host as well as here.
  const access = wantWrite ? (wantRead ? O_RDWR : O_WRONLY) : O_RDONLY;

  if (r.exists) {
    if (creat && oflags & OFLAGS.EXCL) return E.EXIST;
    const st = r.stat;
    if (st === null || st.isDirectory()) {
      // As POSIX open(2): a directory cannot be created over, written or truncated.
      if (creat || wantWrite || trunc) return E.ISDIR;
      ctx.mem.setU32(out, ctx.fds.add(new DirFd(r.loc, rightsBase & RIGHTS_DIR, rightsInheriting)));
      return E.SUCCESS;
    }
    if (st.isSymbolicLink()) return E.LOOP;
    if (!st.isFile()) return E.NOTSUP;
    if (wantDir) return E.NOTDIR;
    if (wantWrite || trunc) writableHost(r.loc);
    const hostFd = fs.openSync(r.loc.host!, access | (trunc ? O_TRUNC : 0) | O_NOFOLLOW | O_CLOEXEC);
    ctx.mem.setU32(out, ctx.fds.add(new FileFd(fs, hostFd, r.loc, access !== O_WRONLY, wantWrite, rightsBase & RIGHTS_FILE, fdflags)));
    return E.SUCCESS;
  }
  if (!creat) return E.NOENT;
  if (wantDir) return E.ISDIR;
  const host = writableHost(r.loc);
  // Created for exactly the access asked: O_CREAT makes a file, it grants no fd_write.
  const hostFd = fs.openSync(host, access | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644);
  ctx.inodes.created(fs.fstatSync(hostFd));
  ctx.mem.setU32(out, ctx.fds.add(new FileFd(fs, hostFd, r.loc, access !== O_WRONLY, wantWrite, rightsBase & RIGHTS_FILE, fdflags)));
  return E.SUCCESS;
}
