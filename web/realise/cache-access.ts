// The tab's reads of the binary cache and its own store that the build loop needs: `.drv` texts
// (a `.drv` is a store path like any other: its closure, input `.drv` files and sources included,
// is substituted with the CLI's trust checks, then read out of its NAR), and whether the cache
// has a path. Offline, or with the cache down, the tab builds from its own store alone.
// DOM types for these browser APIs, whichever tsconfig compiles this file.
/// <reference lib="dom" />
import { WpmError } from '../../util/errors.js';
import { parseStorePath } from '../../store/format/store-path.js';
import type { ReadDrv } from '../loop/drv-closure.js';
import type { BrowserStore } from '../store/opfs-store.js';
import { substituteClosure, type SubstituteEvent, type SubstituteOptions } from '../store/substitute.js';
import { fileInNar } from './nar-file.js';

export type CacheOptions = Omit<SubstituteOptions, 'onEvent'>;

/** A valid path's NAR as bytes. */
export async function narBytes(store: BrowserStore, storePath: string): Promise<Uint8Array> {
  return new Uint8Array(await (await store.readNar(storePath)).arrayBuffer());
}

/** Reads `.drv` texts from the tab's store (the caller substitutes the target's closure first). */
export function storeDrvReader(store: BrowserStore): ReadDrv {
  return async (drvPath) => {
    if (!(await store.queryPathInfo(drvPath))) return undefined;
    return new TextDecoder('utf-8', { fatal: true }).decode(await fileInNar(await narBytes(store, drvPath), '', drvPath));
  };
}

/** Makes `paths` valid with their closures, fetching only if one is missing from the store. */
export async function ensureValid(store: BrowserStore, paths: readonly string[], cache: CacheOptions | undefined, onEvent?: (e: SubstituteEvent) => void): Promise<void> {
  const missing = [];
  for (const p of paths) if (!(await store.queryPathInfo(p))) missing.push(p);
  if (missing.length === 0) return;
  if (!cache) {
    throw new WpmError('ERR_STORE_NOT_VALID', `${missing[0]} is not in the browser's store, and no binary cache is set`, {
      hint: 'give the page the binary cache that holds it (and its key)',
    });
  }
  await substituteClosure(store, missing, { ...cache, ...(onEvent ? { onEvent } : {}) });
}

/**
 * Does the cache hold a narinfo for the path? Unreachable counts as no: the tab then builds the
 * path itself, which is what offline means. Whether the narinfo is trusted is judged when it is
 * substituted (substituteClosure), before anything is written.
 */
export async function cacheHas(cache: CacheOptions | undefined, storePath: string): Promise<boolean> {
  if (!cache) return false;
  try {
    const res = await fetch(`${cache.cacheUrl.replace(/\/+$/, '')}/${parseStorePath(storePath).hashPart}.narinfo`, { cache: 'no-store' });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}
