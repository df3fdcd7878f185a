// The log limit of a run: bytes the guest may still write to its log files.

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
