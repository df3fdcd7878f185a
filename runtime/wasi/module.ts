// Compiled modules, once per process: Node has no on-disk code cache for wasm, and a
// WebAssembly.Module posted to a worker shares its compiled code. Memory-limited variants
// are compiled from patched bytes and cached as well.

import crypto from 'node:crypto';
import v8 from 'node:v8';
import { WASM_PAGE } from './constants.js';
import { withMemoryMaximum } from './wasm-binary.js';

const WASM32_MAX_PAGES = 65536;

const bySha = new Map<string, WebAssembly.Module>();
const sources = new WeakMap<WebAssembly.Module, { bytes: Uint8Array; sha: string }>();
const limited = new Map<string, WebAssembly.Module>();

let baselineOnly = false;

/**
 * Run wasm on V8's baseline compiler (Liftoff) only, for processes that run build steps.
 * V8 otherwise re-compiles hot functions with TurboFan in background threads. For the large
 * toolchain modules builds run (clang.wasm is 75 MB) that tier-up costs about as much CPU again
 * as the compile itself and gains nothing: measured here, `clang -O2 -c shell.c` took 10.1 s on
 * Liftoff alone against 11.4 s tiered (CPU 10.0 s against 17.0 s), sqlite3.c 61.5 s against
 * 59.9 s (CPU 65.7 against 73.1), and CPython's loop no faster. With `-j N` on N cores those
 * background threads steal the cores the other steps need. The flag is process-wide and must
 * be set before the first module is compiled; `wpm run` leaves V8's default tiering alone,
 * since a user's program may be a small hot loop that TurboFan does speed up.
 */
export function useBaselineCompilerOnly(): void {
  if (baselineOnly) return;
  if (bySha.size > 0) throw new Error('useBaselineCompilerOnly() must come before the first compileModule()');
  v8.setFlagsFromString('--liftoff-only');
  baselineOnly = true;
}

let lazyValidation = false;

export function compileModule(bytes: Uint8Array): WebAssembly.Module {
  if (!lazyValidation) {
    // Validate each function when it is first compiled, not all of them up front: clang.wasm has
    // 120,000 functions and a compile uses a fraction, so compiling the module takes 70 ms instead
    // of 230 ms in every process that runs it. No function runs unvalidated; an invalid one fails when first called.
    v8.setFlagsFromString('--wasm-lazy-validation');
    lazyValidation = true;
  }
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  let m = bySha.get(sha);
  if (m === undefined) {
    m = new WebAssembly.Module(bytes);
    bySha.set(sha, m);
    sources.set(m, { bytes, sha });
  }
  return m;
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
