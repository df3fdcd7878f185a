// The native half of the code cache (native/wasm-code-cache/), loaded once per process. It is
// built from source by `npm install` for the Node doing the install; under any other Node, or
// when the build failed, it is absent and wasm is compiled in every process, as without a cache.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DIST_DIR } from '../../../util/dist-dir.js';

export interface CodeCacheAddon {
  /** Route WebAssembly.compileStreaming of this thread to V8's deserializer (see the addon). */
  install(): void;
  /** The module's native code, serialized by V8; undefined when V8 has none to give. */
  serialize(module: WebAssembly.Module): ArrayBuffer | undefined;
  /** A 64-bit checksum (16 hex digits) of an entry's code: corruption, not forgery, is its concern. */
  checksum(bytes: Uint8Array): string;
}

/** What WebAssembly.compileStreaming takes once install() ran; `accepted` is set by the addon. */
export interface StreamingRequest {
  wire: Uint8Array;
  code?: Uint8Array;
  accepted?: boolean;
}

/** The package's root: DIST_DIR is dist/ when compiled, the root itself when run as TypeScript. */
function packageRoot(): string {
  return path.basename(DIST_DIR) === 'dist' ? path.dirname(DIST_DIR) : DIST_DIR;
}

/** The addon built for this Node (the name native/wasm-code-cache/build.mjs gives it). */
export function addonPath(): string {
  const name = `wasm_code_cache-${process.platform}-${process.arch}-abi${process.versions.modules}.node`;
  return path.join(packageRoot(), 'native', 'wasm-code-cache', 'out', name);
}

let loaded: { addon: CodeCacheAddon | null; problem: string | null } | undefined;

/** The addon, or null with the reason it is not there. */
export function loadAddon(): { addon: CodeCacheAddon | null; problem: string | null } {
  if (loaded !== undefined) return loaded;
  const file = addonPath();
  if (!fs.existsSync(file)) {
    loaded = { addon: null, problem: `the addon is not built for Node ${process.version} (no ${file}; npm install builds it)` };
    return loaded;
  }
  try {
    const addon = createRequire(import.meta.url)(file) as CodeCacheAddon;
    if (typeof addon.install !== 'function' || typeof addon.serialize !== 'function' || typeof addon.checksum !== 'function') throw new Error('it is not the addon of this version of wpm');
    loaded = { addon, problem: null };
  } catch (err) {
    loaded = { addon: null, problem: `the addon ${file} cannot be loaded: ${(err as Error).message}` };
  }
  return loaded;
}

/** WebAssembly.compileStreaming as the addon's install() makes it (Node's typings lack it without DOM). */
export async function compileStreaming(request: StreamingRequest): Promise<WebAssembly.Module> {
  // V8 settles the promise from a task of its own, which Node does not count as pending work: a
  // process with nothing else to do would exit first (seen with Node 24). A timer holds it open.
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    return await (WebAssembly as unknown as { compileStreaming(r: StreamingRequest): Promise<WebAssembly.Module> }).compileStreaming(request);
  } finally {
    clearInterval(keepAlive);
  }
}
