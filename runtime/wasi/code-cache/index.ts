// An on-disk cache of V8's optimized code for WebAssembly modules, so that a fresh process runs a
// builder on optimized code from its first step instead of compiling it again (Node keeps no such
// cache). A process loads the entry for each module it compiles; when it ends, it records what it
// compiled that the entry lacked, and a warm-up process (warm-up.ts) makes a larger entry of it.
// Code goes through a small native addon (native/wasm-code-cache/). It is transparent: a module
// from the cache is the same module, compiled earlier; whatever goes wrong (no addon, a damaged
// or foreign entry, V8 refusing the code) is a miss, and the module is compiled as without a
// cache. docs/wasm-code-cache.md has the design and its figures.

import fs from 'node:fs';
import { compileStreaming, loadAddon, type StreamingRequest } from './addon.js';
import { readEntry } from './entry.js';
import { cacheKey, keyDescription } from './key.js';
import { entryFile, markFailed } from './layout.js';
import { requestWarmUp } from './request.js';

export interface CodeCacheOptions {
  /** The cache directory, $WPM_HOME/cache/wasm-code for the CLI. */
  dir: string;
  /** Bound of the directory's size; what was used least recently is evicted. Default 2 GiB. */
  maxBytes?: number;
  /** Start warm-ups when processes end (default true); false only reads entries. */
  warm?: boolean;
  /** Where debug lines go (the CLI passes one under WPM_DEBUG); default nowhere. */
  log?: (line: string) => void;
}

export const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;

interface Loaded {
  module: WebAssembly.Module;
  wire: Uint8Array;
  moduleSha: string;
  flags: string[];
  key: string;
  /** Checksum of the entry's code the module came from; null when compiled here. */
  fromEntry: string | null;
}

let options: CodeCacheOptions | null = null;
let installed = false;
let toldOff = false;
const loaded: Loaded[] = [];

/** Use the cache in this process (null: do not). Set before the first module is compiled. */
export function configureCodeCache(opts: CodeCacheOptions | null): void {
  options = opts;
}

/** The cache is configured and its addon loads: modules will come from it where they can. */
export function codeCacheEnabled(): boolean {
  return options !== null && loadAddon().addon !== null;
}

const say = (line: string) => options?.log?.(`wasm code cache: ${line}`);
const nameOf = (moduleSha: string) => `module ${moduleSha.slice(0, 12)}`;

/**
 * The module, from its entry when there is one, else compiled here; null when the cache is off
 * (the caller compiles). A CompileError is the module's own, as without a cache.
 */
export async function compileFromCache(wire: Uint8Array, moduleSha: string, v8Flags: readonly string[]): Promise<WebAssembly.Module | null> {
  if (options === null) return null;
  const { addon, problem } = loadAddon();
  if (addon === null) {
    if (!toldOff) options.log?.(`wasm code cache off: ${problem}`);
    toldOff = true;
    return null;
  }
  const flags = [...v8Flags];
  const key = cacheKey({ moduleSha, v8Flags: flags });
  const file = entryFile(options.dir, key);
  const name = nameOf(moduleSha);
  const t0 = performance.now();
  const found = readEntry(file, key, addon.checksum);
  if ('miss' in found) {
    if (found.miss === 'invalid') {
      say(`${name}: ${file} is not a valid entry (${found.why}); removed`);
      fs.rmSync(file, { force: true });
    } else {
      say(`${name}: no entry`);
    }
    const module = new WebAssembly.Module(wire);
    loaded.push({ module, wire, moduleSha, flags, key, fromEntry: null });
    return module;
  }
  if (!installed) addon.install();
  installed = true;
  const request: StreamingRequest = { wire, code: found.code };
  const module = await compileStreaming(request);
  if (!request.accepted) {
    // The key matched but V8 refused the header: something that changes V8's flags or CPU
    // features is missing from the key. The module was compiled from its bytes meanwhile; the
    // entry goes, and no warm-up follows for a day (its code would be refused again).
    say(`${name}: V8 refused ${file}; removed`);
    fs.rmSync(file, { force: true });
    markFailed(options.dir, key, 'V8 refused the code written for this key');
    return module;
  }
  try {
    const now = new Date();
    fs.utimesSync(file, now, now); // last use, for eviction
  } catch {
    // a read-only cache directory still serves
  }
  loaded.push({ module, wire, moduleSha, flags, key, fromEntry: found.checksum });
  say(`${name}: ${(found.code.length / 1024 ** 2).toFixed(1)} MiB of code loaded in ${(performance.now() - t0).toFixed(0)} ms`);
  return module;
}

/**
 * When the process's work is done: for each module it loaded, compare what V8 now holds with the
 * entry it came from, and ask for a warm-up where the process compiled functions the entry
 * lacks (or had no entry). Serializing costs about 0.1 s for 50 MB of code; nothing is written
 * when nothing changed.
 */
export function recordCodeCacheUsage(): void {
  const opts = options;
  if (opts === null || opts.warm === false) return;
  const addon = loadAddon().addon;
  if (addon === null) return;
  for (const l of loaded.splice(0)) {
    const name = nameOf(l.moduleSha);
    // Another process made an entry since this one compiled the module: the next process loads
    // it, and adds what it lacks then.
    if (l.fromEntry === null && fs.existsSync(entryFile(opts.dir, l.key))) continue;
    try {
      const job = { dir: opts.dir, key: l.key, description: keyDescription({ moduleSha: l.moduleSha, v8Flags: l.flags }), moduleSha: l.moduleSha, flags: l.flags, maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES };
      const out = addon.serialize(l.module);
      if (out === undefined) {
        if (l.fromEntry !== null) {
          // An entry was accepted, yet the module holds no optimized code: V8 fell back to
          // compiling. Asking again would only repeat that.
          markFailed(opts.dir, l.key, 'V8 accepted the entry but did not load its code');
          say(`${name}: the entry's code did not load; no warm-ups for a day`);
          continue;
        }
        say(`${name}: ${requestWarmUp({ ...job, mode: 'seed' }, l.wire)}`);
        continue;
      }
      const usage = new Uint8Array(out);
      if (l.fromEntry !== null && addon.checksum(usage) === l.fromEntry) continue;
      say(`${name}: its code here differs from the entry's (functions run on Liftoff, or V8 13.6's per-process differences); ${requestWarmUp({ ...job, mode: 'grow' }, l.wire, usage)}`);
    } catch (err) {
      say(`${name}: cannot record its usage: ${(err as Error).message}`);
    }
  }
}
