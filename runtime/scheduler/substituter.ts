// Substitution: before building a step, try to get its outputs from a binary cache. The
// binary-cache client implements this; the scheduler knows nothing of HTTP or signatures.

export interface Substituter {
  /**
   * Make `storePath` valid in the local store (with its references first) from a cache.
   * Resolves false on a miss. A cache that is down, slow or wrong is a miss, never an error:
   * the path is then built locally. Aborting `signal` (Ctrl-C) stops downloads at once and
   * rejects with ERR_INTERRUPTED.
   */
  substitute(storePath: string, opts?: { signal?: AbortSignal | undefined }): Promise<boolean>;
}
