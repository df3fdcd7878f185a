// How many NARs download at once. `max-substitution-jobs` (16, as in Nix) is what a cache across
// the internet needs to fill the bandwidth: each download waits on round trips, and the main
// thread, which parses, hashes and writes every NAR, sits idle in between. From a cache on the
// same machine or network the bytes arrive faster than the main thread unpacks them, and the
// extra downloads only crowd it: from nginx on loopback, 4 at once were 13 % faster than 16
// (docs/store-throughput.md). So downloads start few and double while the event loop is idle
// with all of them running, up to the maximum: the network is then what they wait for.

import { performance } from 'node:perf_hooks';

/** Downloads started before anything is known about where the time goes. */
export const START_JOBS = 4;
/** How often the event loop's idle time is read. */
const TICK_MS = 20;
/** Below this share of busy time in a tick, the main thread is waiting for bytes. */
const IDLE_BELOW = 0.5;

/** The event loop's busy share (0 to 1) since the previous call. */
export type UtilizationProbe = () => number;

export function eventLoopProbe(): UtilizationProbe {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    return utilization;
  };
}

export interface DownloadLimit {
  /** The most at once (`max-substitution-jobs`). */
  max: number;
  /** How many to start with; START_JOBS unless told. */
  start?: number;
  /** The event loop's probe; tests give their own. */
  probe?: UtilizationProbe;
}

/**
 * `f` over `items`, results in order, with at most a growing limit at a time (above). After a
 * failure no new item is started, and the ones running are waited for before it is thrown:
 * nothing is left writing.
 */
export function mapAdaptive<T, R>(items: readonly T[], opts: DownloadLimit, f: (item: T) => Promise<R>): Promise<R[]> {
  const max = Math.max(1, opts.max);
  let limit = Math.min(max, Math.max(1, opts.start ?? START_JOBS));
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  let running = 0;
  let failed = false;
  let failure: unknown;
  return new Promise<R[]>((resolve, reject) => {
    const probe = limit < max ? (opts.probe ?? eventLoopProbe()) : undefined;
    const timer = probe && setInterval(grow, TICK_MS);
    timer?.unref();

    function grow(): void {
      const busy = probe!();
      if (busy >= IDLE_BELOW || running < limit || next >= items.length || failed) return;
      limit = Math.min(max, limit * 2);
      if (limit === max) clearInterval(timer);
      launch();
    }

    function launch(): void {
      while (running < limit && next < items.length && !failed) {
        const i = next++;
        running++;
        Promise.resolve()
          .then(() => f(items[i]!))
          .then(
            (r) => {
              out[i] = r;
            },
            (err: unknown) => {
              if (!failed) failure = err;
              failed = true;
            },
          )
          .finally(() => {
            running--;
            launch();
          });
      }
      if (running > 0 || (next < items.length && !failed)) return;
      clearInterval(timer);
      if (failed) reject(failure);
      else resolve(out);
    }

    launch();
  });
}
