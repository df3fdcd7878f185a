// Compiled modules, once per process (a WebAssembly.Module posted to a worker shares its compiled
// code), and across processes through the code cache (code-cache/) when one is configured.
// Memory-limited variants are compiled from patched bytes and kept as well.

import crypto from 'node:crypto';
import v8 from 'node:v8';
import { codeCacheEnabled, compileFromCache } from './code-cache/index.js';
import { WASM_PAGE } from './constants.js';
import { InitialMemoryTooLarge, withMemoryMaximum } from './wasm-binary.js';
import { WASM32_MAX_BYTES, fmtMiB, memoryLimitError } from './outcome.js';
import type { ComponentRunnable } from './component/run.js';
import type { ReactorCall } from './reactor.js';
import type { WasiRunOptions } from './types.js';

const WASM32_MAX_PAGES = 65536;

const bySha = new Map<string, WebAssembly.Module>();
const sources = new WeakMap<WebAssembly.Module, { bytes: Uint8Array; sha: string }>();
const limited = new Map<string, WebAssembly.Module>();

let baselineOnly = false;

/** The V8 flags set here, in order: compiled code is valid only under the same (code-cache/key.ts). */
const flagsSet: string[] = [];

function setFlag(flag: string): void {
  v8.setFlagsFromString(flag);
  flagsSet.push(flag);
}

/** V8's largest tiering budget: no build step runs a function long enough to exhaust it. */
const NEVER_EXHAUSTED_BUDGET = 2 ** 31 - 1;

/**
 * Run wasm on V8's baseline compiler (Liftoff), for processes that run build steps.
 * V8 otherwise re-compiles hot functions with TurboFan in background threads. For the large
 * toolchain modules builds run (clang.wasm is 75 MB) that tier-up costs about as much CPU again
 * as the compile itself and gains nothing: measured here, `clang -O2 -c shell.c` took 10.1 s on
 * Liftoff alone against 11.4 s tiered (CPU 10.0 s against 17.0 s), sqlite3.c 61.5 s against
 * 59.9 s (CPU 65.7 against 73.1), and CPython's loop no faster. With `-j N` on N cores those
 * background threads steal the cores the other steps need. Optimized code comes from the code
 * cache instead (code-cache/), where it is compiled once. With the cache, dynamic tiering stays on
 * with a budget no step exhausts rather than --liftoff-only: V8 then notes which functions ran,
 * which is how an entry learns what to optimize (code-cache/warm-up.ts). The flag is
 * process-wide and must be set before the first module is compiled, after configureCodeCache;
 * `wpm run` leaves V8's default tiering alone, since a user's program may be a small hot loop
 * that TurboFan does speed up.
 */
export function useBaselineCompilerOnly(): void {
  if (baselineOnly) return;
  if (bySha.size > 0 || pending.size > 0) throw new Error('useBaselineCompilerOnly() must come before the first compileModule()');
  setFlag(codeCacheEnabled() ? `--wasm-tiering-budget=${NEVER_EXHAUSTED_BUDGET}` : '--liftoff-only');
  baselineOnly = true;
}

let lazyValidation = false;

function useLazyValidation(): void {
  if (lazyValidation) return;
  // Validate each function when it is first compiled, not all of them up front: clang.wasm has
  // 120,000 functions and a compile uses a fraction, so compiling the module takes 70 ms instead
  // of 230 ms in every process that runs it. No function runs unvalidated; an invalid one fails when first called.
  setFlag('--wasm-lazy-validation');
  lazyValidation = true;
}

function remember(sha: string, bytes: Uint8Array, m: WebAssembly.Module): WebAssembly.Module {
  bySha.set(sha, m);
  sources.set(m, { bytes, sha });
  return m;
}

/** The module of these bytes, compiled in this process (no code cache; see loadModule). */
export function compileModule(bytes: Uint8Array): WebAssembly.Module {
  useLazyValidation();
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  return bySha.get(sha) ?? remember(sha, bytes, new WebAssembly.Module(bytes));
}

const pending = new Map<string, Promise<WebAssembly.Module>>();

/**
 * The module of these bytes: from the code cache when one is configured and holds its code (the
 * same module, compiled by an earlier process with TurboFan), else compiled as compileModule does.
 */
export function loadModule(bytes: Uint8Array): Promise<WebAssembly.Module> {
  useLazyValidation();
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  const known = bySha.get(sha);
  if (known !== undefined) return Promise.resolve(known);
  let p = pending.get(sha);
  if (p === undefined) {
    p = (async () => {
      try {
        let cached: WebAssembly.Module | null = null;
        try {
          cached = await compileFromCache(bytes, sha, flagsSet);
        } catch {
          // The cache is never the reason a module fails to load: compile it here instead.
        }
        return remember(sha, bytes, cached ?? new WebAssembly.Module(bytes));
      } finally {
        pending.delete(sha);
      }
    })();
    pending.set(sha, p);
  }
  return p;
}

/**
 * The module to instantiate under a memory limit: the same module when the limit is the
 * wasm32 maximum or the module's bytes are unknown (the limit is then checked at run time
 * only), else a variant whose memory maximum is lowered. Throws InitialMemoryTooLarge.
 */
export function moduleWithMemoryLimit(module: WebAssembly.Module, memoryBytes: number): WebAssembly.Module {
  const pages = Math.floor(memoryBytes / WASM_PAGE);
  if (pages >= WASM32_MAX_PAGES) return module;
  const src = sources.get(module);
  if (src === undefined) return module;
  const key = `${src.sha}:${pages}`;
  let m = limited.get(key);
  if (m === undefined) {
    m = new WebAssembly.Module(withMemoryMaximum(src.bytes, pages));
    limited.set(key, m);
  }
  return m;
}

/**
 * What a run instantiates under its memory limit: the module, a reactor's module or each of a
 * component's core modules with its maximum lowered (issue 9: a component's modules get the same
 * maximum each). An initial memory above the limit is the limit's error, thrown here.
 */
export function withMemoryLimit<T extends WebAssembly.Module | ComponentRunnable | ReactorCall>(module: T, opts: WasiRunOptions): T {
  const memoryBytes = opts.limits?.memoryBytes ?? WASM32_MAX_BYTES;
  const limit = (m: WebAssembly.Module) => moduleWithMemoryLimit(m, memoryBytes);
  try {
    if (module instanceof WebAssembly.Module) return limit(module) as T;
    if (module.kind === 'reactor') return { ...module, module: limit(module.module) };
    return { ...module, cores: Object.fromEntries(Object.entries(module.cores).map(([n, m]) => [n, limit(m)])) };
  } catch (err) {
    if (err instanceof InitialMemoryTooLarge) {
      throw memoryLimitError(memoryBytes, `its initial memory alone is ${fmtMiB(err.initialPages * 65536)}`);
    }
    throw err;
  }
}
