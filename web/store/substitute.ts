// Substitution into the browser's store over fetch, by the CLI's rules and with the CLI's code for
// every format: nix-cache-info, narinfo, the k-of-n trust policy (checkTrustAsync: the verdict of
// checkTrust, with Ed25519 through WebCrypto), the NAR checked against the signed NarSize and
// NarHash and parsed in full before its path becomes valid. The whole closure is planned and
// every narinfo judged before any NAR is downloaded, so an untrusted path leaves nothing written;
// paths are then made valid references first, so a path is never valid without its closure.
// DOM types for these browser APIs, whichever tsconfig compiles this file.
/// <reference lib="dom" />

import { parseCacheInfo } from '../../store/binary-cache/cache-info.js';
import { checkTrustAsync, makeTrustPolicy, type TrustPolicy } from '../../store/binary-cache/trust.js';
import { STORE_DIR, parseNar, parseNarInfo, parseStorePath, type NarInfo } from '../../store/format/index.js';
import { WpmError } from '../../util/errors.js';
import { narHashOf } from './nar-hash.js';
import type { BrowserStore, PathInfo } from './opfs-store.js';

export interface SubstituteOptions {
  /** The binary cache's root URL (`wpm serve`, any static host of a Nix-layout cache). */
  cacheUrl: string;
  /** Keys in Nix's `name:base64` form. */
  trustedKeys: string[];
  /** Valid signatures from distinct trusted keys each path needs (default 1; 0 checks hashes only). */
  requiredSignatures?: number;
  /** NARs downloaded and checked ahead of the one being written (default 4), as the CLI's max-substitution-jobs. */
  jobs?: number;
  onEvent?: (e: SubstituteEvent) => void;
}

export type SubstituteEvent =
  | { type: 'planned'; toFetch: number; alreadyValid: number }
  | { type: 'substituted'; path: string; narHash: string; narSize: number; signers: string[] }
  | { type: 'valid'; path: string };

async function get(url: string, signal?: AbortSignal): Promise<Response | undefined> {
  let res: Response;
  try {
    res = await fetch(url, { cache: 'no-store', ...(signal ? { signal } : {}) });
  } catch (err) {
    // A refused CORS answer looks the same as a dead server from inside the page.
    throw new WpmError('ERR_CACHE_UNREACHABLE', `cannot reach ${url}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
      hint: 'is the cache up, and does it send CORS headers (wpm serve does)?',
    });
  }
  if (res.status === 404) return undefined;
  if (!res.ok) throw new WpmError('ERR_CACHE_HTTP', `${url}: HTTP ${res.status}`, { status: res.status });
  return res;
}

async function checkCacheInfo(base: string): Promise<void> {
  const where = `${base}/nix-cache-info`;
  const res = await get(where);
  if (!res) throw new WpmError('ERR_CACHE_INFO', `${where} does not exist`, { hint: 'is this URL a binary cache? its root must hold nix-cache-info' });
  const info = parseCacheInfo(await res.text(), where);
  if (info.storeDir !== STORE_DIR) throw new WpmError('ERR_CACHE_STORE_DIR', `${base} holds paths of ${info.storeDir}, not ${STORE_DIR}`);
}

async function trustedNarInfo(base: string, path: string, policy: TrustPolicy): Promise<{ narinfo: NarInfo; signers: string[] }> {
  const url = `${base}/${parseStorePath(path).hashPart}.narinfo`;
  const res = await get(url);
  if (!res) throw new WpmError('ERR_SUBSTITUTE_FAILED', `${path} is not in the cache ${base}`);
  const narinfo = parseNarInfo(await res.text(), url);
  if (narinfo.storePath !== path) throw new WpmError('ERR_CACHE_DISAGREES', `${url} describes ${narinfo.storePath}, not ${path}`);
  const verdict = await checkTrustAsync(narinfo, policy);
  if (!verdict.ok) throw new WpmError('ERR_SUBSTITUTE_UNTRUSTED', `refusing ${path} from ${base}: ${verdict.reason}`);
  return { narinfo, signers: verdict.signers.map((k) => k.name) };
}

async function fetchNar(base: string, narinfo: NarInfo, signal: AbortSignal): Promise<Uint8Array> {
  const url = new URL(narinfo.url, `${base}/`).href;
  // Browsers decompress gzip natively (DecompressionStream); neither Chromium nor Firefox does
  // xz or zstd, and a wasm decompressor is not worth it while `wpm serve` defaults to none.
  if (narinfo.compression !== 'none' && narinfo.compression !== 'gzip') {
    throw new WpmError('ERR_CACHE_COMPRESSION', `${url}: the browser store takes NARs uncompressed or gzip-compressed, not ${narinfo.compression}`, {
      hint: 'serve the cache with --compression none (wpm serve’s default) or gzip',
    });
  }
  const res = await get(url, signal);
  if (!res) throw new WpmError('ERR_SUBSTITUTE_NO_NAR', `${url} (the NAR of ${narinfo.storePath}) does not exist`);
  let nar: Uint8Array;
  try {
    const body = narinfo.compression === 'gzip' ? new Response(res.body!.pipeThrough(new DecompressionStream('gzip'))) : res;
    nar = new Uint8Array(await body.arrayBuffer());
  } catch (err) {
    const code = narinfo.compression === 'none' ? 'ERR_CACHE_TRUNCATED' : 'ERR_CACHE_DECOMPRESS';
    throw new WpmError(code, `cannot read ${url} (the NAR of ${narinfo.storePath}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (nar.length !== narinfo.narSize) {
    throw new WpmError('ERR_SUBSTITUTE_NAR_SIZE', `the NAR of ${narinfo.storePath} from ${url} is ${nar.length} bytes, its signed narinfo says ${narinfo.narSize}`);
  }
  const got = await narHashOf(nar);
  if (got !== narinfo.narHash) {
    throw new WpmError('ERR_SUBSTITUTE_NAR_HASH', `the NAR of ${narinfo.storePath} from ${url} has hash ${got}, its signed narinfo says ${narinfo.narHash}`);
  }
  try {
    await parseNar((async function* () { yield nar; })());
  } catch (err) {
    throw new WpmError('ERR_SUBSTITUTE_BAD_NAR', `the NAR of ${narinfo.storePath} from ${url} is not a valid archive: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return nar;
}

/** References before the paths that refer to them (self-references ignored). */
function referencesFirst(infos: Map<string, { references: string[] }>): string[] {
  const out: string[] = [];
  const done = new Set<string>();
  const visit = (p: string) => {
    if (done.has(p)) return;
    done.add(p);
    for (const r of infos.get(p)!.references) if (r !== p && infos.has(r)) visit(r);
    out.push(p);
  };
  for (const p of [...infos.keys()].sort()) visit(p);
  return out;
}

/**
 * Makes `roots` valid in `store` with their closures from one cache. Resolves to the closure's
 * path infos, references first; rejects with a WpmError naming the path and the reason.
 */
export async function substituteClosure(store: BrowserStore, roots: readonly string[], opts: SubstituteOptions): Promise<PathInfo[]> {
  const base = opts.cacheUrl.replace(/\/+$/, '');
  const policy = makeTrustPolicy(opts.trustedKeys, opts.requiredSignatures ?? 1);
  await checkCacheInfo(base);

  const valid = new Map<string, PathInfo>();
  const wanted = new Map<string, { narinfo: NarInfo; signers: string[] }>();
  for (const r of roots) parseStorePath(r); // a bad path is the user's error, before any download
  const queue = [...roots];
  for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
    if (valid.has(p) || wanted.has(p)) continue;
    const have = await store.queryPathInfo(p);
    if (have) valid.set(p, have);
    else wanted.set(p, await trustedNarInfo(base, p, policy));
    queue.push(...(have ?? wanted.get(p)!.narinfo).references);
  }
  opts.onEvent?.({ type: 'planned', toFetch: wanted.size, alreadyValid: valid.size });

  const all = new Map<string, { references: string[] }>([...valid, ...[...wanted].map(([p, w]) => [p, w.narinfo] as const)]);
  const order = referencesFirst(all);
  // Downloads run ahead of the writes, which stay in reference order; on the first failure the
  // ones in flight are aborted.
  const abort = new AbortController();
  const ahead = new Map<string, Promise<Uint8Array>>();
  const jobs = Math.max(1, opts.jobs ?? 4);
  let next = 0;
  const fill = () => {
    for (; next < order.length && ahead.size < jobs; next++) {
      const w = wanted.get(order[next]!);
      if (!w) continue;
      const nar = fetchNar(base, w.narinfo, abort.signal);
      nar.catch(() => undefined); // awaited in order below; an aborted one is never awaited
      ahead.set(w.narinfo.storePath, nar);
    }
  };
  try {
    for (const p of order) {
      const w = wanted.get(p);
      if (!w) {
        opts.onEvent?.({ type: 'valid', path: p });
        continue;
      }
      fill();
      const nar = await ahead.get(p)!;
      ahead.delete(p);
      fill();
      valid.set(p, await makeValid(store, w, nar, opts));
    }
  } finally {
    abort.abort();
  }
  return order.map((p) => valid.get(p)!);
}

/** Writes a checked NAR and its info (the CLI's record, made from the signed narinfo). */
async function makeValid(store: BrowserStore, w: { narinfo: NarInfo; signers: string[] }, nar: Uint8Array, opts: SubstituteOptions): Promise<PathInfo> {
  const { narinfo, signers } = w;
  const info: PathInfo = {
    path: narinfo.storePath,
    narHash: narinfo.narHash,
    narSize: narinfo.narSize,
    references: [...narinfo.references].sort(),
    ...(narinfo.deriver !== undefined ? { deriver: narinfo.deriver } : {}),
    signatures: narinfo.sigs,
    ...(narinfo.ca !== undefined ? { ca: narinfo.ca } : {}),
  };
  if (await store.addPath(info, nar)) opts.onEvent?.({ type: 'substituted', path: info.path, narHash: info.narHash, narSize: info.narSize, signers });
  else opts.onEvent?.({ type: 'valid', path: info.path });
  return info;
}
