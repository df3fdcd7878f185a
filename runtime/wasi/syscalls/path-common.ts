// What the path_* calls share: resolving a guest path through a directory descriptor that holds
// the right the call names, and the checks made before the host is touched.

import { E } from '../constants.js';
import type { WasiContext } from '../context.js';
import { WasiErrno } from '../errno.js';
import { need } from '../rights.js';
import type { FinalLookup, Loc, Resolved } from '../vfs.js';

/** Resolve the guest path at [ptr, ptr+len) relative to the directory `fd`, which must hold `right`. */
export function resolveAt(ctx: WasiContext, fd: number, right: number, ptr: number, len: number, final: FinalLookup): Resolved {
  const dir = ctx.fds.dir(fd);
  need(dir, right);
  return ctx.ns.resolve(dir.loc, ctx.mem.string(ptr, len), final);
}

/** The host path of a place the guest may change, or the errno saying why not. */
export function writableHost(loc: Loc): string {
  if (loc.host === null || loc.mount === null) throw new WasiErrno(loc.vdir !== null ? E.ISDIR : E.ROFS);
  if (!loc.mount.writable) throw new WasiErrno(E.ROFS);
  return loc.host;
}

/** A mount point itself cannot be removed or renamed, except a declared output. */
export function notMountRoot(r: Resolved): void {
  if (r.loc.vdir !== null) throw new WasiErrno(E.BUSY);
  if (r.loc.mount !== null && r.loc.host === r.loc.mount.host && !r.loc.mount.output) throw new WasiErrno(E.BUSY);
  if (r.name === '.') throw new WasiErrno(E.INVAL);
}

/** The entry is a directory (a virtual one included). */
export function isDir(r: Resolved): boolean {
  return r.stat === null ? r.exists : r.stat.isDirectory();
}
