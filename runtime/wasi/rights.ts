// Preview1 rights. Every call that names a right checks it on the descriptor it is given, after
// checking that the descriptor is of a kind the call applies to (so a directory given to fd_read
// is EBADF and stdout given to fd_seek is ESPIPE, as POSIX answers, whatever their rights).

import { E, RIGHT } from './constants.js';
import { WasiErrno } from './errno.js';

const R = RIGHT;

/**
 * The rights wasi-libc derives from the open mode: O_RDONLY asks for fd_read and fd_readdir,
 * O_WRONLY for fd_write, fd_datasync, fd_allocate and fd_filestat_set_size. A descriptor
 * without one of them is "not open for reading/writing", which POSIX (and wasmtime, and the
 * preview1 adapter of WASI 0.2) report as EBADF; any other missing right is ENOTCAPABLE.
 */
const OPEN_MODE = R.FD_READ | R.FD_READDIR | R.FD_WRITE | R.FD_DATASYNC | R.FD_ALLOCATE | R.FD_FILESTAT_SET_SIZE;

interface HasRights {
  /** The base rights as a number (Fd.baseMask). */
  baseMask: number;
}

/** Throw unless `f` holds every right in `rights` (RIGHT.* values or'ed). */
export function need(f: HasRights, rights: number): void {
  const missing = rights & ~f.baseMask;
  if (missing !== 0) throw new WasiErrno((missing & ~OPEN_MODE) !== 0 ? E.NOTCAPABLE : E.BADF);
}

/** Throw unless `f` holds at least one right in `rights` (fd_tell: fd_tell or fd_seek). */
export function needAny(f: HasRights, rights: number): void {
  if ((f.baseMask & rights) === 0) throw new WasiErrno(E.NOTCAPABLE);
}

/** Rights a new descriptor may ask for through `dir`: its inheriting rights, never more. */
export function needInheritable(dir: { rightsInheriting: bigint }, rights: bigint): void {
  if ((rights & ~dir.rightsInheriting) !== 0n) throw new WasiErrno(E.NOTCAPABLE);
}
