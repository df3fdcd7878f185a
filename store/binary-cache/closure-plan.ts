// What a substitution will download: the narinfos of the wanted paths and of every reference not
// valid here, found level by level (each level's narinfos fetched at once), each from the first
// cache, in priority order, that has a trusted one. Then which of them can be installed: those
// whose references are all valid or can be installed too, with no cycle among them.

import { isWpmError, WpmError } from '../../util/index.js';
import { parseNarInfo, parseStorePath, type LocalStore, type NarInfo } from '../index.js';
import { UNREACHABLE_CODES, type BinaryCache } from './cache.js';
import { mapAdaptive } from './download-limit.js';
import { checkTrust, type TrustPolicy } from './trust.js';

/** A narinfo found for a path, and where. */
export interface Located {
  cache: BinaryCache;
  /** Its index in the caches in priority order: a retry starts after it. */
  rank: number;
  narinfo: NarInfo;
  signers: string[];
}

export interface PlanContext {
  store: LocalStore;
  /** Usable caches, best priority first. */
  caches: BinaryCache[];
  trust: TrustPolicy;
  jobs: number;
  signal: AbortSignal | undefined;
  /** A cache that failed for a path (or for good: then it is disabled). */
  warn(cache: BinaryCache, err: unknown, storePath?: string): void;
  disabled: Set<BinaryCache>;
}

export function interrupted(what: string, cause?: unknown): WpmError {
  return new WpmError('ERR_INTERRUPTED', `substituting ${what}: interrupted`, cause === undefined ? {} : { cause });
}

/**
 * `f` over `items`, at most `limit` at a time, results in order. After a failure no new item is
 * started, and the ones running are waited for before it is thrown: nothing is left writing.
 */
export function mapLimit<T, R>(items: readonly T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  return mapAdaptive(items, { max: limit, start: limit }, f); // a limit that starts at its maximum stays there
}

/**
 * The first cache from `rank` on with a trusted narinfo for `storePath` (satisfying `accept`, if
 * given), or undefined. Every failure is a warning; a cache that is down is not asked again.
 */
export async function locate(ctx: PlanContext, storePath: string, rank = 0, accept?: (n: NarInfo) => boolean): Promise<Located | undefined> {
  const { hashPart } = parseStorePath(storePath);
  for (let r = rank; r < ctx.caches.length; r++) {
    const cache = ctx.caches[r]!;
    if (ctx.disabled.has(cache)) continue;
    try {
      const where = `${cache.url}/${hashPart}.narinfo`;
      const text = await cache.getText(`${hashPart}.narinfo`, undefined, { signal: ctx.signal });
      if (text === undefined) continue;
      const narinfo = parseNarInfo(text, where);
      if (narinfo.storePath !== storePath) throw new WpmError('ERR_NARINFO_CORRUPT', `${where} describes ${narinfo.storePath}, not ${storePath}`);
      const verdict = checkTrust(narinfo, ctx.trust);
      if (!verdict.ok) throw new WpmError('ERR_SUBSTITUTE_UNTRUSTED', `refusing ${storePath} from ${cache.url}: ${verdict.reason}`);
      if (accept && !accept(narinfo)) continue;
      return { cache, rank: r, narinfo, signers: verdict.signers.map((k) => k.name) };
    } catch (err) {
      if (ctx.signal?.aborted) throw interrupted(storePath, err);
      ctx.warn(cache, err, storePath);
      if (isWpmError(err) && UNREACHABLE_CODES.has(err.code)) ctx.disabled.add(cache);
    }
  }
  return undefined;
}

/** The narinfos of `roots` and of their references, as far as the caches have them. */
export async function planClosure(ctx: PlanContext, roots: readonly string[]): Promise<{ found: Map<string, Located>; missing: Set<string> }> {
  const found = new Map<string, Located>();
  const missing = new Set<string>();
  const seen = new Set<string>();
  let level = roots.filter((p) => {
    if (seen.has(p) || ctx.store.isValid(p)) return false;
    seen.add(p);
    return true;
  });
  while (level.length > 0) {
    const located = await mapLimit(level, ctx.jobs, (p) => locate(ctx, p));
    const next: string[] = [];
    level.forEach((p, i) => {
      const loc = located[i];
      if (!loc) {
        missing.add(p);
        return;
      }
      found.set(p, loc);
      for (const ref of loc.narinfo.references) {
        if (seen.has(ref)) continue;
        seen.add(ref);
        // isValid roots the reference: GC keeps it until we are done relying on it.
        if (!ctx.store.isValid(ref)) next.push(ref);
      }
    });
    level = next;
  }
  return { found, missing };
}

/**
 * Which found paths can be installed: every reference other than itself is valid here or can be
 * installed, and no path reaches itself through others (a narinfo may lie about references; Nix
 * refuses such cycles too). For each path that cannot, the reference that stops it.
 */
export function installable(found: ReadonlyMap<string, Located>, missing: ReadonlySet<string>): { ok: string[]; blocked: Map<string, string> } {
  const blocked = new Map<string, string>();
  const state = new Map<string, 'visiting' | 'ok' | 'blocked'>();
  // Iterative depth-first walk: a closure may be deep.
  for (const root of found.keys()) {
    if (state.has(root)) continue;
    const stack: { p: string; refs: string[]; i: number }[] = [];
    const enter = (p: string) => {
      state.set(p, 'visiting');
      const refs = found.get(p)!.narinfo.references.filter((r) => r !== p);
      const absent = refs.find((r) => missing.has(r));
      if (absent !== undefined) block(p, absent);
      // References neither found nor missing were valid here when the plan was made.
      stack.push({ p, refs: refs.filter((r) => found.has(r)), i: 0 });
    };
    enter(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.refs.length) {
        const ref = top.refs[top.i++]!;
        const s = state.get(ref);
        if (s === undefined) enter(ref);
        else if (s === 'visiting' || s === 'blocked') block(top.p, ref);
        continue;
      }
      stack.pop();
      if (state.get(top.p) === 'visiting') state.set(top.p, 'ok');
      const parent = stack[stack.length - 1];
      if (parent && state.get(top.p) === 'blocked') block(parent.p, top.p);
    }
  }
  return { ok: [...found.keys()].filter((p) => state.get(p) === 'ok'), blocked };

  function block(p: string, because: string): void {
    if (state.get(p) === 'blocked') return;
    state.set(p, 'blocked');
    blocked.set(p, because);
  }
}
