// Compiled modules, once per process: Node has no on-disk code cache for wasm, and a
// WebAssembly.Module posted to a worker shares its compiled code. Memory-limited variants
// are compiled from patched bytes and cached as well.

import crypto from 'node:crypto';
import { WASM_PAGE } from './constants.js';
import { withMemoryMaximum } from './wasm-binary.js';

const WASM32_MAX_PAGES = 65536;

const bySha = new Map<string, WebAssembly.Module>();
const sources = new WeakMap<WebAssembly.Module, { bytes: Uint8Array; sha: string }>();
const limited = new Map<string, WebAssembly.Module>();

export function compileModule(bytes: Uint8Array): WebAssembly.Module {
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
