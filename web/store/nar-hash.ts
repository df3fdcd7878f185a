// A whole NAR's hash in the store's spelling (`sha256:<nix32>`), through WebCrypto's digest. The
// NAR is in memory anyway (it is written to OPFS in one piece); a streaming hash for the
// browser comes with the portable SHA-256 seam of store/format/hash.ts (issue 25, part A).
// DOM types for these browser APIs, whichever tsconfig compiles this file.
/// <reference lib="dom" />

import { formatHash } from '../../store/format/index.js';

export async function narHashOf(nar: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', nar as Uint8Array<ArrayBuffer>));
  return formatHash({ algo: 'sha256', digest }, 'nix32');
}
