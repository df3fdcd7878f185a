// path_* calls. Paths are resolved by the namespace (vfs.ts); only then is a host path
// touched, and only with calls that do not follow a final symlink. Trailing slashes are read as
// POSIX reads them: see FinalLookup in vfs.ts for which calls follow a final symlink.

import { E, LOOKUP_SYMLINK_FOLLOW, RIGHT } from '../constants.js';
import type { WasiContext } from '../context.js';
import { WasiErrno } from '../errno.js';
import { encodeUtf8 } from '../memory.js';
import { depth, type FinalLookup } from '../vfs.js';
import { requestedTimes } from './fd.js';
import { isDir, notMountRoot, resolveAt, writableHost } from './path-common.js';
import { pathOpen } from './path-open.js';
import type { Syscalls } from './types.js';

const R = RIGHT;

/** The lookup a lookupflags argument asks for; bits preview1 does not define are EINVAL. */
function lookup(flags: number): FinalLookup {
  if (flags & ~LOOKUP_SYMLINK_FOLLOW) throw new WasiErrno(E.INVAL);
  return flags & LOOKUP_SYMLINK_FOLLOW ? 'follow' : 'nofollow';
}

/**
 * A symlink's target is stored as given, so the host sees it too, in the build directory and, in
 * an output, in the store. An absolute target would name a place on the host: refused with EPERM,
 * as wasmtime refuses it. A relative one whose '..' climb above the guest's root from the link's
 * own directory (`dir`, a canonical guest path) could never be followed by the guest (ENOTCAPABLE
 * when it tries) and could only ever mean something on the host: refused with that errno now.
 */
function checkTarget(target: string, dir: string): void {
  if (target.charCodeAt(0) === 47) throw new WasiErrno(E.PERM);
  let d = depth(dir);
  for (const c of target.split('/')) {
    if (c === '' || c === '.') continue;
    if (c !== '..') d++;
    else if (--d < 0) throw new WasiErrno(E.NOTCAPABLE);
  }
}

export const pathCalls: Syscalls = {
  path_open: pathOpen,

  path_filestat_get: (ctx, fd: number, flags: number, ptr: number, len: number, buf: number) => {
    const r = resolveAt(ctx, fd, R.PATH_FILESTAT_GET, ptr, len, lookup(flags));
    if (!r.exists) return E.NOENT;
    const st = r.stat === null ? ctx.inodes.virtualDirStat(r.loc.guest) : ctx.inodes.filestat(r.stat);
    ctx.mem.writeFilestat(buf, st);
    return E.SUCCESS;
  },

  path_filestat_set_times: (ctx, fd: number, flags: number, ptr: number, len: number, atim: bigint, mtim: bigint, fst: number) => {
    const [a, m] = requestedTimes(ctx, atim, mtim, fst);
    const r = resolveAt(ctx, fd, R.PATH_FILESTAT_SET_TIMES, ptr, len, lookup(flags));
    if (!r.exists) return E.NOENT;
    writableHost(r.loc);
    ctx.inodes.setTimes(ctx.inodes.ofHost(r.stat!), a, m);
    return E.SUCCESS;
  },

  // mkdir("p/") makes p; any entry already there, a dangling symlink included, is EEXIST.
  path_create_directory: (ctx, fd: number, ptr: number, len: number) => {
    const r = resolveAt(ctx, fd, R.PATH_CREATE_DIRECTORY, ptr, len, 'entry');
    if (r.exists) return E.EXIST;
    ctx.fs.mkdirSync(writableHost(r.loc), 0o755);
    ctx.inodes.created(ctx.fs.lstatSync(r.loc.host!, { throwIfNoEntry: false })!);
    return E.SUCCESS;
  },

  // rmdir removes the entry itself: a symlink, even to a directory and even written "ld/", is
  // ENOTDIR, as on Linux.
  path_remove_directory: (ctx, fd: number, ptr: number, len: number) => {
    const r = resolveAt(ctx, fd, R.PATH_REMOVE_DIRECTORY, ptr, len, 'entry');
    if (!r.exists) return E.NOENT;
    notMountRoot(r);
    if (!isDir(r)) return E.NOTDIR;
    ctx.fs.rmdirSync(writableHost(r.loc));
    return E.SUCCESS;
  },

  // "Return errno::isdir if the path refers to a directory", slash or not; "f/" is ENOTDIR.
  path_unlink_file: (ctx, fd: number, ptr: number, len: number) => {
    const r = resolveAt(ctx, fd, R.PATH_UNLINK_FILE, ptr, len, 'entry');
    if (!r.exists) return E.NOENT;
    if (isDir(r)) return E.ISDIR;
    if (r.mustBeDir) return E.NOTDIR;
    notMountRoot(r);
    ctx.fs.unlinkSync(writableHost(r.loc));
    return E.SUCCESS;
  },

  // A slash on either name says the entry moved is a directory; the host answers the rest
  // (a directory over a file ENOTDIR, a file over a directory EISDIR, ENOTEMPTY, EXDEV).
  path_rename: (ctx, fd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) => {
    const src = resolveAt(ctx, fd, R.PATH_RENAME_SOURCE, oldPtr, oldLen, 'entry');
    const dst = resolveAt(ctx, newFd, R.PATH_RENAME_TARGET, newPtr, newLen, 'entry');
    if (!src.exists) return E.NOENT;
    if ((src.mustBeDir || dst.mustBeDir) && !isDir(src)) return E.NOTDIR;
    notMountRoot(src);
    if (dst.exists) notMountRoot(dst);
    // A symlink moved keeps its target, which must still name a place in the guest's namespace.
    if (src.stat !== null && src.stat.isSymbolicLink()) checkTarget(ctx.fs.readlinkSync(src.loc.host!), dst.parent.guest);
    const from = writableHost(src.loc);
    const to = writableHost(dst.loc);
    // Across writable mounts the host decides (EXDEV if they are different file systems).
    ctx.fs.renameSync(from, to);
    return E.SUCCESS;
  },

  // Only a directory can be made at "p/": a new link there is ENOENT, an existing entry EEXIST.
  path_link: (ctx, oldFd: number, oldFlags: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) => {
    const src = resolveAt(ctx, oldFd, R.PATH_LINK_SOURCE, oldPtr, oldLen, lookup(oldFlags));
    const dst = resolveAt(ctx, newFd, R.PATH_LINK_TARGET, newPtr, newLen, 'entry');
    if (!src.exists) return E.NOENT;
    if (dst.exists) return E.EXIST;
    if (dst.mustBeDir) return E.NOENT;
    if (isDir(src)) return E.PERM;
    // A hard link to an input would make it writable through the link: never across mounts.
    if (src.loc.mount !== dst.loc.mount) return E.XDEV;
    ctx.fs.linkSync(writableHost(src.loc), writableHost(dst.loc));
    return E.SUCCESS;
  },

  path_symlink: (ctx, targetPtr: number, targetLen: number, fd: number, ptr: number, len: number) => {
    const target = ctx.mem.string(targetPtr, targetLen);
    const r = resolveAt(ctx, fd, R.PATH_SYMLINK, ptr, len, 'entry');
    if (r.exists) return E.EXIST;
    if (r.mustBeDir) return E.NOENT;
    const host = writableHost(r.loc);
    checkTarget(target, r.parent.guest);
    // Stored as given; the guest's own lookups interpret it in the namespace, never the host's.
    ctx.fs.symlinkSync(target, host);
    ctx.inodes.created(ctx.fs.lstatSync(host, { throwIfNoEntry: false })!);
    return E.SUCCESS;
  },

  path_readlink: (ctx, fd: number, ptr: number, len: number, buf: number, bufLen: number, usedPtr: number) => {
    const r = resolveAt(ctx, fd, R.PATH_READLINK, ptr, len, 'nofollow');
    if (!r.exists) return E.NOENT;
    if (r.stat === null || !r.stat.isSymbolicLink()) return E.INVAL;
    ctx.mem.check(usedPtr, 4);
    const n = ctx.mem.writeBytes(buf, bufLen, encodeUtf8(ctx.fs.readlinkSync(r.loc.host!)));
    ctx.mem.setU32(usedPtr, n);
    return E.SUCCESS;
  },
};
