// The guest's descriptor numbers. New descriptors take the lowest free number, as POSIX does,
// which keeps numbering deterministic.

import { E } from './constants.js';
import { WasiErrno } from './errno.js';
import { DirFd, Fd, FileFd } from './fds.js';

export class FdTable {
  private table: (Fd | null)[] = [];

  get(fd: number): Fd {
    const f = this.table[fd];
    if (f === undefined || f === null) throw new WasiErrno(E.BADF);
    return f;
  }

  /**
   * A regular file. A directory is EBADF, as wasmtime and the preview1 adapter answer (POSIX
   * differs call by call: EISDIR for read, EBADF for write, EINVAL for ftruncate); a stream
   * (stdio) is `streamErrno`: ESPIPE for calls that need a position, EBADF for the others.
   */
  file(fd: number, streamErrno: number = E.BADF): FileFd {
    const f = this.get(fd);
    if (f instanceof FileFd) return f;
    throw new WasiErrno(f instanceof DirFd ? E.BADF : streamErrno);
  }

  /** Anything but a directory: the descriptors fd_read and fd_write apply to. */
  notDir(fd: number): Fd {
    const f = this.get(fd);
    if (f instanceof DirFd) throw new WasiErrno(E.BADF);
    return f;
  }

  dir(fd: number): DirFd {
    const f = this.get(fd);
    if (!(f instanceof DirFd)) throw new WasiErrno(E.NOTDIR);
    return f;
  }

  add(f: Fd): number {
    let i = 0;
    while (i < this.table.length && this.table[i] !== null) i++;
    this.table[i] = f;
    return i;
  }

  close(fd: number): void {
    const f = this.get(fd);
    this.table[fd] = null;
    f.close();
  }

  renumber(from: number, to: number): void {
    const f = this.get(from);
    this.get(to);
    if (from === to) return;
    this.close(to);
    this.table[to] = f;
    this.table[from] = null;
  }

  /** Close every host descriptor still open when the run ends, however it ended. */
  closeAll(): void {
    for (let i = 0; i < this.table.length; i++) {
      const f = this.table[i];
      this.table[i] = null;
      try {
        f?.close();
      } catch {
        // already gone; nothing to do at teardown
      }
    }
  }
}
