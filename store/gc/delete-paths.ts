// `wpm store delete PATH…` (`nix-store --delete`): delete given paths, and only if nothing needs
// them: no root keeps them (under the same keep-outputs / keep-derivations policy as GC), no live
// process uses them, and no valid path outside the set refers to them. Decided and done under
// the GC lock, like a collection, so that no process starts relying on a path meanwhile.
import { WpmError } from '../../util/index.js';
import type { LocalStore } from '../local-store.js';
import type { PathInfo } from '../path-info.js';
import { diskUsage } from '../tree/disk-usage.js';
import { readDrvOutputs } from './drv-outputs.js';
import { acquireGcLock } from './gc-lock.js';
import { findInUse } from './in-use.js';
import { computeLiveSet, deletionOrder, type LiveInput, type LivePolicy } from './live-set.js';
import { findRoots } from './root-links.js';

export interface DeleteOptions {
  policy: LivePolicy;
  /** Check and report, delete nothing. */
  dryRun?: boolean;
  onWait?: () => void;
}

/** Delete `paths` (valid store paths), referrers first; refuses the whole set if any is live. */
export async function deletePaths(store: LocalStore, paths: string[], opts: DeleteOptions): Promise<{ path: string; bytes: number }[]> {
  const lock = await acquireGcLock(store.layout, opts.onWait);
  try {
    const infos = new Map<string, PathInfo>();
    for (const info of store.db.list()) infos.set(info.path, info);
    const targets = new Set(paths);
    for (const p of targets) if (!infos.has(p)) throw new WpmError('ERR_STORE_NOT_VALID', `${p} is not valid in the store at ${store.home}`);
    const { roots } = findRoots(store);
    const inUse = findInUse(store);
    const base: Omit<LiveInput, 'roots' | 'inUse'> = { infos, policy: opts.policy, outputsOf: (drv) => readDrvOutputs(store.toHost(drv)) };
    const liveByRoots = computeLiveSet({ ...base, roots: roots.map((r) => r.path), inUse: [] });
    const liveInUse = computeLiveSet({ ...base, roots: [], inUse: [...inUse.tempRoots, ...inUse.building] });
    for (const p of [...targets].sort()) {
      if (liveByRoots.has(p)) {
        const root = roots.find((r) => computeLiveSet({ ...base, roots: [r.path], inUse: [] }).has(p))!;
        const via = root.via ?? root.link;
        throw new WpmError('ERR_STORE_PATH_LIVE', `cannot delete ${p}: it is kept by the GC root ${via}${root.path === p ? '' : ` (→ ${root.path})`}`, {
          hint: root.path === p ? 'remove the root first' : opts.policy.keepOutputs ? 'a root keeps it (keep-outputs keeps the build inputs of live results too); see wpm store roots' : 'see wpm store roots',
        });
      }
      if (liveInUse.has(p)) throw new WpmError('ERR_STORE_PATH_LIVE', `cannot delete ${p}: a running wpm process is using it`, { hint: 'try again once it has finished' });
      const referrer = [...infos.values()].find((i) => i.path !== p && !targets.has(i.path) && i.references.includes(p));
      if (referrer) {
        throw new WpmError('ERR_STORE_PATH_LIVE', `cannot delete ${p}: ${referrer.path} refers to it`, { hint: `delete that one too, or see wpm store referrers -r ${p}` });
      }
    }
    const order = deletionOrder(targets, infos);
    const deleted = order.map((p) => ({ path: p, bytes: diskUsage(store.toHost(p)) }));
    if (!opts.dryRun) store.invalidatePaths(order);
    return deleted;
  } finally {
    lock.release();
  }
}
