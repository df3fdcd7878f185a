// Substitution: make a store path valid by downloading it from binary caches instead of building
// it. Caches are tried in their nix-cache-info Priority order (lower first, then the order given);
// for each, the narinfo must satisfy the trust policy, the references are substituted first, and
// the NAR must match the signed hash and size (install-nar.ts). Every failure is a miss with a
// warning naming the path and the cache: the caller then builds the path itself. A cache that is
// down or too slow is used no more for the rest of the process, so it costs one timeout, not one
// per path.
//
// It has the shape of runtime/scheduler's `Substituter` (store/ may not import runtime/), so the
// scheduler takes it as it is.

import { isWpmError, WpmError } from '../../util/index.js';
import { parseNarInfo, parseStorePath, type LocalStore, type NarInfo } from '../index.js';
import { UNREACHABLE_CODES, type BinaryCache } from './cache.js';
import { readCacheInfo } from './cache-info.js';
import { installNar } from './install-nar.js';
import { checkTrust, type TrustPolicy } from './trust.js';

export type SubstituteMessage =
  | { type: 'substituted'; path: string; cache: string; narSize: number; durationMs: number; signers: string[] }
  | { type: 'warning'; path?: string; cache: string; code: string; message: string };

export interface CacheSubstituterOptions {
  trust: TrustPolicy;
  /**
   * Milliseconds a NAR of this many bytes may take to download in all (default 10 s plus 1 s
   * per MB): a cache slower than that is a miss, and is not used again by this process.
   */
  narDeadlineMs?: (narSize: number) => number;
  /** Progress and warnings; the CLI prints them on stderr. */
  onMessage?: (m: SubstituteMessage) => void;
}

/** Downloads at once when a path has many references (or `substituteAll` is given many paths). */
export const PARALLEL_DOWNLOADS = 4;

/** `f` over `items`, at most `limit` at a time, results in order. */
export async function mapLimit<T, R>(items: T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** 10 s, and a second more per megabyte: a cache must deliver a NAR at 1 MB/s at least. */
const defaultNarDeadline = (narSize: number) => 10_000 + narSize / 1_000;

interface Usable {
  cache: BinaryCache;
  priority: number;
}

export class CacheSubstituter {
  readonly #store: LocalStore;
  readonly #caches: BinaryCache[];
  readonly #opts: CacheSubstituterOptions;
  #usable: Promise<Usable[]> | undefined;
  readonly #disabled = new Set<BinaryCache>();
  readonly #inflight = new Map<string, Promise<boolean>>();
  readonly #missed = new Set<string>();

  constructor(store: LocalStore, caches: BinaryCache[], opts: CacheSubstituterOptions) {
    this.#store = store;
    this.#caches = caches;
    this.#opts = opts;
  }

  private warn(cache: BinaryCache, err: unknown, storePath?: string): void {
    const code = isWpmError(err) ? err.code : 'ERR_INTERNAL';
    const message = err instanceof Error ? err.message : String(err);
    this.#opts.onMessage?.({ type: 'warning', cache: cache.url, code, message, ...(storePath ? { path: storePath } : {}) });
  }

  /** The caches that answered with a usable nix-cache-info, best priority first (asked once). */
  private usable(): Promise<Usable[]> {
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
        .filter((u): u is Usable & { i: number } => u !== undefined)
        .sort((a, b) => a.priority - b.priority || a.i - b.i),
    );
    return this.#usable;
  }

  /**
   * Resolves true when `storePath` is valid afterwards; never rejects for a cache's fault, only
   * with ERR_INTERRUPTED once `signal` is aborted.
   */
  substitute(storePath: string, opts: { signal?: AbortSignal | undefined } = {}): Promise<boolean> {
    return this.#substitute(storePath, [], opts.signal);
  }

  /** Several paths, a few at a time; the results in order. */
  substituteAll(storePaths: string[], opts: { signal?: AbortSignal | undefined } = {}): Promise<boolean[]> {
    return mapLimit(storePaths, PARALLEL_DOWNLOADS, (p) => this.substitute(p, opts));
  }

  /**
   * What the first cache that has `storePath` says of it (`--dry-run`'s sizes), if the trust
   * policy accepts it; nothing is downloaded but the narinfo. A cache's fault is a miss.
   */
  async query(storePath: string, opts: { signal?: AbortSignal | undefined } = {}): Promise<{ narinfo: NarInfo; cache: string } | undefined> {
    const { hashPart } = parseStorePath(storePath);
    for (const { cache } of await this.usable()) {
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

  #substitute(storePath: string, chain: string[], signal: AbortSignal | undefined): Promise<boolean> {
    if (signal?.aborted) return Promise.reject(new WpmError('ERR_INTERRUPTED', `substituting ${storePath}: interrupted`));
    if (this.#store.isValid(storePath)) return Promise.resolve(true);
    if (this.#missed.has(storePath)) return Promise.resolve(false);
    // A narinfo may lie about references; a cycle would otherwise wait on itself forever.
    if (chain.includes(storePath)) return Promise.resolve(false);
    let p = this.#inflight.get(storePath);
    if (!p) {
      p = this.#fromCaches(storePath, [...chain, storePath], signal).finally(() => this.#inflight.delete(storePath));
      this.#inflight.set(storePath, p);
    }
    return p;
  }

  async #fromCaches(storePath: string, chain: string[], signal: AbortSignal | undefined): Promise<boolean> {
    const { hashPart } = parseStorePath(storePath);
    for (const { cache } of await this.usable()) {
      if (this.#disabled.has(cache)) continue;
      try {
        if (await this.#fromCache(cache, storePath, hashPart, chain, signal)) return true;
      } catch (err) {
        if (signal?.aborted) throw new WpmError('ERR_INTERRUPTED', `substituting ${storePath}: interrupted`, { cause: err });
        this.warn(cache, err, storePath);
        if (isWpmError(err) && UNREACHABLE_CODES.has(err.code)) this.#disabled.add(cache);
      }
      // Another process may have built or fetched it meanwhile.
      if (this.#store.isValid(storePath)) return true;
    }
    this.#missed.add(storePath);
    return false;
  }

  /** false: this cache does not have it; throws: it has it, but something is wrong. */
  async #fromCache(cache: BinaryCache, storePath: string, hashPart: string, chain: string[], signal: AbortSignal | undefined): Promise<boolean> {
    const where = `${cache.url}/${hashPart}.narinfo`;
    const text = await cache.getText(`${hashPart}.narinfo`, undefined, { signal });
    if (text === undefined) return false;
    const narinfo: NarInfo = parseNarInfo(text, where);
    if (narinfo.storePath !== storePath) {
      throw new WpmError('ERR_NARINFO_CORRUPT', `${where} describes ${narinfo.storePath}, not ${storePath}`);
    }
    const verdict = checkTrust(narinfo, this.#opts.trust);
    if (!verdict.ok) throw new WpmError('ERR_SUBSTITUTE_UNTRUSTED', `refusing ${storePath} from ${cache.url}: ${verdict.reason}`);
    // References download a few at a time: one stream leaves the CPU idle on round trips.
    const refs = narinfo.references.filter((r) => r !== storePath);
    const got = await mapLimit(refs, PARALLEL_DOWNLOADS, (ref) => this.#substitute(ref, chain, signal));
    const missing = refs.find((_, i) => !got[i]);
    if (missing) {
      throw new WpmError('ERR_SUBSTITUTE_REFERENCE', `cannot substitute ${storePath} from ${cache.url}: its reference ${missing} is in no usable cache`);
    }
    const started = Date.now();
    const url = `${cache.url}/${narinfo.url}`;
    const deadlineMs = (this.#opts.narDeadlineMs ?? defaultNarDeadline)(narinfo.narSize);
    const file = await cache.getStream(narinfo.url, { signal, deadlineMs });
    if (!file) throw new WpmError('ERR_SUBSTITUTE_NO_NAR', `${url} (the NAR of ${storePath}) does not exist`);
    await installNar(this.#store, narinfo, file, url);
    this.#opts.onMessage?.({
      type: 'substituted',
      path: storePath,
      cache: cache.url,
      narSize: narinfo.narSize,
      durationMs: Date.now() - started,
      signers: verdict.signers.map((k) => k.name),
    });
    return true;
  }
}
