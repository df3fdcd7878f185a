// The compiled-code cache for the commands that run WebAssembly (build, run): where it lives
// ($WPM_HOME/cache/wasm-code), how large it may grow, its debug lines under WPM_DEBUG, and the
// record of what the command compiled, once its work is done (runtime/wasi/code-cache/).
import path from 'node:path';
import type { LocalStore } from '../store/index.js';
import { configureCodeCache, recordCodeCacheUsage } from '../runtime/wasi/index.js';
import { commandSettings } from './config.js';
import { isWpmError } from '../util/index.js';

export function useCodeCache(store: LocalStore): void {
  const settings = commandSettings();
  if (!settings.wasmCodeCache) return;
  configureCodeCache({
    dir: path.join(store.layout.cache, 'wasm-code'),
    maxBytes: settings.wasmCodeCacheMiB * 1024 * 1024,
    log: process.env.WPM_DEBUG ? (line) => process.stderr.write(`wpm: ${line}\n`) : undefined,
  });
}

/** Once the command's guests have run, whether or not they failed; not after Ctrl-C, which it would only delay. */
export function recordCodeCacheUse(err?: unknown): void {
  if (err !== undefined && isWpmError(err, 'ERR_INTERRUPTED')) return;
  recordCodeCacheUsage();
}
