// From a substituter URL to a cache: http(s):// over the network, file:// (or a plain absolute
// path) for a directory.

import { WpmError } from '../../util/index.js';
import type { BinaryCache } from './cache.js';
import { FileCache } from './file-cache.js';
import { HttpCache, type HttpCacheOptions } from './http-cache.js';

export function openCache(url: string, opts: HttpCacheOptions = {}): BinaryCache {
  if (/^https?:\/\//.test(url)) return new HttpCache(url, opts);
  if (url.startsWith('file://') || url.startsWith('/')) return new FileCache(url);
  throw new WpmError('ERR_CACHE_BAD_URL', `unsupported binary cache URL '${url}'`, {
    hint: 'use http://HOST[:PORT][/PATH], https://… or file:///DIR',
  });
}

/** Releases what a cache holds open (kept-alive connections). */
export function closeCache(cache: BinaryCache): void {
  if (cache instanceof HttpCache) cache.close();
}
