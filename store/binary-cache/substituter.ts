// Substitution: make store paths valid by downloading them from binary caches instead of building
// them. Caches are tried in their nix-cache-info Priority order (lower first, then the order
// given); a narinfo must satisfy the trust policy, and a NAR must match its signed hash and size.
// Every failure is a miss with a warning naming the path and the cache: the caller then builds the
// path itself. A cache that is down or too slow is used no more for the rest of the process, so it
// costs one timeout, not one per path.
//
// Requests are served in rounds (substitute-closure.ts): every path asked for while no round runs
// joins the next one, whose closures are downloaded together, several NARs at a time, and
// registered in one transaction. Rounds run one after another, so two never wait on each other's
// paths.
//
// It has the shape of runtime/scheduler's `Substituter` (store/ may not import runtime/), so the
// scheduler takes it as it is.

import { setMaxListeners } from 'node:events';
import { isWpmError, WpmError } from '../../util/index.js';
import { parseNarInfo, parseStorePath, type LocalStore, type NarInfo } from '../index.js';
import { UNREACHABLE_CODES, type BinaryCache } from './cache.js';
import { readCacheInfo } from './cache-info.js';
import { substituteClosure } from './substitute-closure.js';
import { checkTrust, type TrustPolicy } from './trust.js';

export { mapLimit } from './closure-plan.js';

export type SubstituteMessage =
  | { type: 'substituted'; path: string; cache: string; narSize: number; durationMs: number; signers: string[] }
  | { type: 'warning'; path?: string; cache: string; code: string; message: string; hint?: string };

export interface CacheSubstituterOptions {
  trust: TrustPolicy;
  /**
   * Milliseconds a NAR of this many bytes may take to download in all (default 10 s plus 1 s
   * per MB): a cache slower than that is a miss, and is not used again by this process.
   */
  narDeadlineMs?: (narSize: number) => number;
  /** The most NARs downloaded and unpacked at once (`max-substitution-jobs`, default 16 as in Nix; download-limit.ts). */
  jobs?: number;
  /** Progress and warnings; the CLI prints them on stderr. */
  onMessage?: (m: SubstituteMessage) => void;
}

/** Downloads at once unless told otherwise; Nix's max-substitution-jobs defaults to 16 too. */
export const DEFAULT_SUBSTITUTION_JOBS = 16;

/** 10 s, and a second more per megabyte: a cache must deliver a NAR at 1 MB/s at least. */
const defaultNarDeadline = (narSize: number) => 10_000 + narSize / 1_000;

interface Request {
  path: string;
  signal: AbortSignal | undefined;
  resolve: (ok: boolean) => void;
  reject: (err: unknown) => void;
}

export class CacheSubstituter {
  readonly #store: LocalStore;
  readonly #caches: BinaryCache[];
  readonly #opts: CacheSubstituterOptions;
  #usable: Promise<BinaryCache[]> | undefined;
  readonly #disabled = new Set<BinaryCache>();
  /** Every path asked for and not yet answered, queued or in the running round. */
  readonly #pending = new Map<string, Promise<boolean>>();
  #queue: Request[] = [];
  #running = false;
  readonly #missed = new Set<string>();

  constructor(store: LocalStore, caches: BinaryCache[], opts: CacheSubstituterOptions) {
    this.#store = store;
    this.#caches = caches;
    this.#opts = opts;
  }

  private warn(cache: BinaryCache, err: unknown, storePath?: string): void {
    const code = isWpmError(err) ? err.code : 'ERR_INTERNAL';
    const message = err instanceof Error ? err.message : String(err);
    const hint = isWpmError(err) ? err.hint : undefined;
    this.#opts.onMessage?.({ type: 'warning', cache: cache.url, code, message, ...(storePath ? { path: storePath } : {}), ...(hint ? { hint } : {}) });
  }

  /** The caches that answered with a usable nix-cache-info, best priority first (asked once). */
  private usable(): Promise<BinaryCache[]> {
    this.#usable ??= Promise.all(
      this.#caches.map(async (cache, i) => {
        try {
          const info = await readCacheInfo(cache);
          return { cache, priority: info.priority, i };
        } catch (err) {
          this.warn(cache, err);
          return undefined;
        }
      }),
    ).then((all) =>
      all
        .filter((u): u is NonNullable<typeof u> => u !== undefined)
        .sort((a, b) => a.priority - b.priority || a.i - b.i)
        .map((u) => u.cache),
    );
    return this.#usable;
  }

  /**
   * Resolves true when `storePath` is valid afterwards; never rejects for a cache's fault, only
   * with ERR_INTERRUPTED once `signal` is aborted.
   */
  substitute(storePath: string, opts: { signal?: AbortSignal | undefined } = {}): Promise<boolean> {
    if (opts.signal?.aborted) return Promise.reject(new WpmError('ERR_INTERRUPTED', `substituting ${storePath}: interrupted`));
    if (this.#store.isValid(storePath)) return Promise.resolve(true);
    if (this.#missed.has(storePath)) return Promise.resolve(false);
    const pending = this.#pending.get(storePath);
    if (pending) return pending;
    const answer = new Promise<boolean>((resolve, reject) => this.#queue.push({ path: storePath, signal: opts.signal, resolve, reject }));
    this.#pending.set(storePath, answer);
    this.#kick();
    return answer;
  }

  /** Several paths, in one round; the results in order. */
  substituteAll(storePaths: string[], opts: { signal?: AbortSignal | undefined } = {}): Promise<boolean[]> {
    return Promise.all(storePaths.map((p) => this.substitute(p, opts)));
  }

  #jobs(): number {
    return Math.max(1, this.#opts.jobs ?? DEFAULT_SUBSTITUTION_JOBS);
  }

  /**
   * What the first cache that has `storePath` says of it (`--dry-run`'s sizes), if the trust
   * policy accepts it; nothing is downloaded but the narinfo. A cache's fault is a miss.
   */
  async query(storePath: string, opts: { signal?: AbortSignal | undefined } = {}): Promise<{ narinfo: NarInfo; cache: string } | undefined> {
    const { hashPart } = parseStorePath(storePath);
    for (const cache of await this.usable()) {
      if (this.#disabled.has(cache)) continue;
      try {
        const where = `${cache.url}/${hashPart}.narinfo`;
        const text = await cache.getText(`${hashPart}.narinfo`, undefined, { signal: opts.signal });
        if (text === undefined) continue;
        const narinfo = parseNarInfo(text, where);
        if (narinfo.storePath === storePath && checkTrust(narinfo, this.#opts.trust).ok) return { narinfo, cache: cache.url };
      } catch (err) {
        if (opts.signal?.aborted) throw new WpmError('ERR_INTERRUPTED', `asking about ${storePath}: interrupted`, { cause: err });
        this.warn(cache, err, storePath);
        if (isWpmError(err) && UNREACHABLE_CODES.has(err.code)) this.#disabled.add(cache);
      }
    }
    return undefined;
  }

  /** Starts rounds until the queue is empty; one runs at a time. */
  #kick(): void {
    if (this.#running) return;
    this.#running = true;
    void (async () => {
      // Paths asked for in the same turn of the event loop join the same round.
      await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        while (this.#queue.length > 0) await this.#round(this.#queue.splice(0));
      } finally {
        this.#running = false;
      }
    })();
  }

  async #round(requests: Request[]): Promise<void> {
    const signals = requests.map((r) => r.signal).filter((s): s is AbortSignal => s !== undefined);
    // The round's own signal: each of its `jobs` reads listens to it at once, which is no leak.
    const signal = signals.length === 0 ? undefined : AbortSignal.any(signals);
    if (signal) setMaxListeners(2 * this.#jobs() + 10, signal);
    try {
      const caches = await this.usable();
      const { installed, missed } = await substituteClosure(
        {
          store: this.#store,
          caches,
          trust: this.#opts.trust,
          jobs: this.#jobs(),
          signal,
          warn: (cache, err, storePath) => this.warn(cache, err, storePath),
          disabled: this.#disabled,
          narDeadlineMs: this.#opts.narDeadlineMs ?? defaultNarDeadline,
        },
        requests.map((r) => r.path),
      );
      for (const d of installed) this.#opts.onMessage?.({ type: 'substituted', ...d });
      for (const p of missed) this.#missed.add(p);
      for (const r of requests) {
        // Valid now, whether this round, another process or an earlier round made it so.
        const ok = this.#store.isValid(r.path);
        if (!ok) this.#missed.add(r.path);
        r.resolve(ok);
      }
    } catch (err) {
      const stopped = signal?.aborted ? new WpmError('ERR_INTERRUPTED', `substituting ${requests.map((r) => r.path).join(', ')}: interrupted`, { cause: err }) : err;
      for (const r of requests) r.reject(stopped);
    } finally {
      for (const r of requests) this.#pending.delete(r.path);
    }
  }
}
