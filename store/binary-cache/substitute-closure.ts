// One round of substitution: the closures of some wanted paths, planned (closure-plan.ts), their
// NARs downloaded and unpacked several at a time (download-limit.ts), then flushed to disk
// once and registered in one transaction, references first (install-batch.ts). A NAR that fails
// from one cache is tried from the next that has the path; a path that cannot be had takes the
// paths that refer to it with it, each with a warning, and the rest is installed.

import path from 'node:path';
import { isWpmError, WpmError } from '../../util/index.js';
import { installBatch, newFlushBatch, referenceLevels, removeTree, type FinishedTree, type NarInfo } from '../index.js';
import { UNREACHABLE_CODES } from './cache.js';
import { installable, interrupted, locate, planClosure, type Located, type PlanContext } from './closure-plan.js';
import { mapAdaptive } from './download-limit.js';
import { unpackNar } from './install-nar.js';

export interface Substituted {
  path: string;
  cache: string;
  narSize: number;
  durationMs: number;
  signers: string[];
}

export interface RoundContext extends PlanContext {
  /** Milliseconds a NAR of this many bytes may take to download in all. */
  narDeadlineMs: (narSize: number) => number;
}

/** Same references: a retry from another cache must not change what the plan relied on. */
function sameReferences(a: NarInfo, b: NarInfo): boolean {
  const x = [...new Set(a.references)].sort();
  const y = [...new Set(b.references)].sort();
  return x.length === y.length && x.every((r, i) => r === y[i]);
}

/**
 * Makes `roots` valid with their closures, as far as the caches allow. Returns the paths this
 * round installed, references first, and the paths no cache could give. Rejects only with
 * ERR_INTERRUPTED (the signal) or a failure of the local store.
 */
export async function substituteClosure(ctx: RoundContext, roots: readonly string[]): Promise<{ installed: Substituted[]; missed: string[] }> {
  const { found, missing } = await planClosure(ctx, roots);
  const { ok, blocked } = installable(found, missing);
  for (const [p, because] of blocked) {
    const { cache } = found.get(p)!;
    ctx.warn(cache, new WpmError('ERR_SUBSTITUTE_REFERENCE', `cannot substitute ${p} from ${cache.url}: its reference ${because} is in no usable cache`), p);
  }
  const missed = [...missing, ...blocked.keys()];
  if (ok.length === 0) return { installed: [], missed };

  const tmpDir = ctx.store.makeTempDir('substitute');
  const batch = newFlushBatch(ctx.store);
  try {
    const got = new Map<string, { tree: FinishedTree; from: Located; started: number }>();
    let n = 0;
    // Larger NARs first: the longest downloads start early and the small ones fill in around them.
    const order = [...ok].sort((a, b) => found.get(b)!.narinfo.narSize - found.get(a)!.narinfo.narSize);
    await mapAdaptive(order, { max: ctx.jobs }, async (p) => {
      let from: Located | undefined = found.get(p)!;
      const started = Date.now();
      while (from) {
        const dest = path.join(tmpDir, String(n++));
        try {
          const tree = await fetchOne(ctx, from, dest, batch);
          got.set(p, { tree, from, started });
          return;
        } catch (err) {
          if (ctx.signal?.aborted) throw interrupted(p, err);
          if (!isWpmError(err) || !(err.code.startsWith('ERR_CACHE') || err.code.startsWith('ERR_SUBSTITUTE'))) throw err;
          ctx.warn(from.cache, err, p);
          if (UNREACHABLE_CODES.has(err.code)) ctx.disabled.add(from.cache);
          const first: NarInfo = from.narinfo;
          from = await locate(ctx, p, from.rank + 1, (other) => sameReferences(first, other));
        }
      }
    });

    // A path whose NAR could not be had blocks the paths that refer to it.
    const failed = new Set(ok.filter((p) => !got.has(p)));
    missed.push(...failed);
    for (let changed = failed.size > 0; changed; ) {
      changed = false;
      for (const [p, { tree, from }] of got) {
        const because = tree.info.references.find((r) => failed.has(r));
        if (because === undefined) continue;
        ctx.warn(from.cache, new WpmError('ERR_SUBSTITUTE_REFERENCE', `cannot substitute ${p} from ${from.cache.url}: its reference ${because} could not be downloaded`), p);
        got.delete(p);
        removeTree(tree.tmpPath);
        failed.add(p);
        missed.push(p);
        changed = true;
      }
    }

    const entries = [...got.values()];
    const trees = entries.map((e) => e.tree);
    const installed = await installBatch(ctx.store, trees, batch);
    const done = Date.now();
    const inOrder = referenceLevels(trees.map((_, i) => i), trees).flat();
    return {
      installed: inOrder
        .filter((i) => installed[i])
        .map((i) => entries[i]!)
        .map(({ tree, from, started }) => ({ path: tree.info.path, cache: from.cache.url, narSize: tree.info.narSize, durationMs: done - started, signers: from.signers })),
      missed,
    };
  } catch (err) {
    await batch.dispose();
    if (ctx.signal?.aborted && !isWpmError(err, 'ERR_INTERRUPTED')) throw interrupted(roots.join(', '), err);
    throw err;
  } finally {
    removeTree(tmpDir);
  }
}

async function fetchOne(ctx: RoundContext, from: Located, dest: string, batch: ReturnType<typeof newFlushBatch>): Promise<FinishedTree> {
  const { narinfo, cache } = from;
  const url = `${cache.url}/${narinfo.url}`;
  // An uncompressed NAR goes straight to the parser, which is done with each chunk before the next.
  const file = await cache.getStream(narinfo.url, { signal: ctx.signal, deadlineMs: ctx.narDeadlineMs(narinfo.narSize), reuseChunks: narinfo.compression === 'none' });
  if (!file) throw new WpmError('ERR_SUBSTITUTE_NO_NAR', `${url} (the NAR of ${narinfo.storePath}) does not exist`);
  return unpackNar(narinfo, file, url, dest, batch);
}
