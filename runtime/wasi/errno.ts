// Inside the host, failures are errno values. Helpers throw WasiErrno; the syscall
// table catches it at the boundary and returns the number to the guest.

import { E } from './constants.js';

export class WasiErrno extends Error {
  constructor(readonly errno: number) {
    super(`wasi errno ${errno}`);
  }
}

/** proc_exit unwinds the guest's stack with this; the runner catches it. */
export class ProcExit {
  constructor(readonly code: number) {}
}

/** The host stops the guest for breaking a limit it cannot enforce otherwise. */
export class GuestStopped {
  constructor(readonly reason: 'memory' | 'log') {}
}

const HOST_ERRNO: Record<string, number> = {
  E2BIG: E.TOOBIG, EACCES: E.ACCES, EAGAIN: E.AGAIN, EBADF: E.BADF, EBUSY: E.BUSY,
  EEXIST: E.EXIST, EFAULT: E.FAULT, EFBIG: E.FBIG, EINTR: E.INTR, EINVAL: E.INVAL, EIO: E.IO,
  EISDIR: E.ISDIR, ELOOP: E.LOOP, EMFILE: E.MFILE, EMLINK: E.MLINK, ENAMETOOLONG: E.NAMETOOLONG,
  ENFILE: E.NFILE, ENOENT: E.NOENT, ENOMEM: E.NOMEM, ENOSPC: E.NOSPC, ENOSYS: E.NOSYS,
  ENOTDIR: E.NOTDIR, ENOTEMPTY: E.NOTEMPTY, ENOTSUP: E.NOTSUP, EOPNOTSUPP: E.NOTSUP,
  ENXIO: E.NXIO, EOVERFLOW: E.OVERFLOW, EPERM: E.PERM, EPIPE: E.PIPE, EROFS: E.ROFS,
  ESPIPE: E.SPIPE, ETXTBSY: E.TXTBSY, EXDEV: E.XDEV, EDQUOT: E.DQUOT,
};

/** Map anything a helper threw to an errno; unknown host failures become EIO. */
export function toErrno(err: unknown): number {
  if (err instanceof WasiErrno) return err.errno;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in HOST_ERRNO) return HOST_ERRNO[code];
  return E.IO;
}
