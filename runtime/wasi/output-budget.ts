// The output limit of a run: bytes the guest may still write into writable mounts and outputs.

import { E } from './constants.js';
import { WasiErrno } from './errno.js';

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
