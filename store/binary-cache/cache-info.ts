// `nix-cache-info`: the one file that says which store directory a cache holds and how eager
// clients should be to use it. Lower Priority is tried first; Nix's default is 50.
// It imports only the pure formats, so the browser's store (web/store/) parses it with this code.

import { WpmError } from '../../util/errors.js';
import { STORE_DIR } from '../format/index.js';
import type { BinaryCache } from './cache.js';

export interface CacheInfo {
  storeDir: string;
  wantMassQuery: boolean;
  priority: number;
}

export const DEFAULT_PRIORITY = 50;

export function parseCacheInfo(text: string, where: string): CacheInfo {
  const info: CacheInfo = { storeDir: '', wantMassQuery: false, priority: DEFAULT_PRIORITY };
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === 'StoreDir') info.storeDir = value;
    else if (key === 'WantMassQuery') info.wantMassQuery = value === '1';
    else if (key === 'Priority') {
      const n = Number(value);
      if (!Number.isInteger(n)) throw new WpmError('ERR_CACHE_INFO', `${where}: Priority '${value}' is not a whole number`);
      info.priority = n;
    }
  }
  if (info.storeDir === '') throw new WpmError('ERR_CACHE_INFO', `${where}: no StoreDir`);
  return info;
}

export function formatCacheInfo(info: Partial<CacheInfo> = {}): string {
  return `StoreDir: ${info.storeDir ?? STORE_DIR}\nWantMassQuery: ${info.wantMassQuery === false ? 0 : 1}\nPriority: ${info.priority ?? DEFAULT_PRIORITY}\n`;
}

/** The cache's info; a cache for another store directory cannot hold our paths. */
export async function readCacheInfo(cache: BinaryCache): Promise<CacheInfo> {
  const where = `${cache.url}/nix-cache-info`;
  const text = await cache.getText('nix-cache-info');
  if (text === undefined) {
    throw new WpmError('ERR_CACHE_INFO', `${where} does not exist`, { hint: 'is this URL a binary cache? its root must hold nix-cache-info' });
  }
  const info = parseCacheInfo(text, where);
  if (info.storeDir !== STORE_DIR) {
    throw new WpmError('ERR_CACHE_STORE_DIR', `${cache.url} holds paths of ${info.storeDir}, not ${STORE_DIR}`);
  }
  return info;
}
