// From a substituter URL to a cache: http(s):// over the network, file:// (or a plain absolute
// path) for a directory.

import { WpmError } from '../../util/index.js';
import type { BinaryCache } from './cache.js';
import { FileCache } from './file-cache.js';
import { HttpCache, type HttpCacheOptions } from './http-cache.js';

export function openCache(url: string, opts: HttpCacheOptions = {}): BinaryCache {
  checkCacheUrl(url);
  if (/^https?:\/\//.test(url)) return new HttpCache(url, opts);
  return new FileCache(url);
}

/**
 * Refuse a URL that names no cache wpm can open, saying what the rule is: http(s)://HOST/…,
 * file:///DIR (or file://localhost/DIR: a file URL's host can only be this machine), or an
 * absolute path. `file://tmp/cache` names a host 'tmp', not the directory /tmp/cache.
 */
export function checkCacheUrl(url: string): void {
  const bad = (why: string, hint = 'use http://HOST[:PORT][/PATH], https://… or file:///DIR') =>
    new WpmError('ERR_CACHE_BAD_URL', `binary cache URL '${url}' ${why}`, { hint });
  if (url.startsWith('/')) return;
  if (url.startsWith('file:')) {
    const m = /^file:\/\/([^/]*)(\/.*)?$/.exec(url);
    if (!m || !m[2]) throw bad('is not file:///DIR', 'a directory cache is file:///DIR, with three slashes');
    if (m[1] !== '' && m[1] !== 'localhost') {
      throw bad(`names the host '${m[1]}': a file:// cache is a directory of this machine, file:///DIR or file://localhost/DIR`, `did you mean file:///${m[1]}${m[2]}?`);
    }
    return;
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad('is not a URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(`uses ${u.protocol}, which wpm cannot read caches over`);
  if (u.hostname === '') throw bad('has no host');
}

/** Releases what a cache holds open (kept-alive connections). */
export function closeCache(cache: BinaryCache): void {
  if (cache instanceof HttpCache) cache.close();
}
