// Everything a system call may touch during one run, passed explicitly to each syscall.

import type { FdTable } from './fd-table.js';
import type { FileFd } from './fds.js';
import type { Inodes } from './inodes.js';
import type { GuestMemory } from './memory.js';
import type { Namespace } from './vfs.js';
import type { Prng } from './prng.js';
import { E } from './constants.js';
import { WasiErrno } from './errno.js';

export interface WasiContext {
  mem: GuestMemory;
  fds: FdTable;
  ns: Namespace;
  inodes: Inodes;
  args: Uint8Array[];
  env: Uint8Array[];
  clock: VirtualClock;
  random: Prng;
  output: OutputBudget;
  /** What the guest may still write to its log files (stdout and stderr as files). */
  log: LogBudget;
  /** The one file descriptor holding buffered writes, if any (see FileFd). Every system
   * call except fd_write/fd_seek/fd_tell flushes it first, so nothing can observe the
   * file without the buffered bytes. */
  buffered: FileFd | null;
  /** The bytes `buffered` holds (1 MiB, one per run). */
  writeBuffer: Buffer;
}

/** Wall clock fixed; the monotonic clock only moves when the guest looks at it or sleeps. */
export class VirtualClock {
  private mono = 0n;
  constructor(readonly realtime: bigint) {}
  /** Each reading advances 1 µs, so loops waiting for time to pass still terminate. */
  monotonic(): bigint {
    this.mono += 1000n;
    return this.mono;
  }
  advanceTo(t: bigint): void {
    if (t > this.mono) this.mono = t;
  }
  peek(): bigint {
    return this.mono;
  }
}

/** Bytes the guest may still write into writable mounts; the first write over fails. */
export class OutputBudget {
  exceeded = false;
  written = 0;
  constructor(readonly limit: number) {}
  charge(n: number): void {
    if (this.written + n > this.limit) {
      this.exceeded = true;
      throw new WasiErrno(E.NOSPC);
    }
    this.written += n;
  }
}

/** Bytes the guest may still write to its log; past the limit, the log is cut and the guest stopped. */
export class LogBudget {
  exceeded = false;
  written = 0;
  constructor(readonly limit: number) {}
  /** How many of `n` bytes may still be written; fewer than `n` marks the budget exceeded. */
  take(n: number): number {
    const allowed = Math.max(0, Math.min(n, this.limit - this.written));
    this.written += allowed;
    if (allowed < n) this.exceeded = true;
    return allowed;
  }
}
