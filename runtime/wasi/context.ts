// Everything a system call may touch during one run, passed explicitly to each syscall.

import type { FdTable } from './fd-table.js';
import type { FdContext } from './fds.js';
import type { Prng } from './prng.js';

/** The open descriptions' part (memory, namespace, inodes, output budget, write window) and the rest. */
export interface WasiContext extends FdContext {
  fds: FdTable;
  args: Uint8Array[];
  env: Uint8Array[];
  clock: VirtualClock;
  random: Prng;
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
