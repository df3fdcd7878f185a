// Streaming NAR parser with full validation: only canonical NARs (the exact bytes NarWriter and
// `nix-store --dump` produce) are accepted, so a NAR that parses always restores to a tree whose
// NAR hash is the hash of the bytes parsed. Lengths are checked before anything is allocated and
// the tree is walked with an explicit stack, so hostile input costs bounded memory.
//
// This file is the tree's events (NarVisitor) and parseNar, the async driver. The grammar is
// NarPushParser (nar-push-parser.ts), pushed chunks and working through each synchronously: no
// promise per token, and a caller that reads into one buffer can refill it as soon as push()
// returns (after awaiting what the visitor asked to wait for). Substitution spends most of its
// CPU here and in the writes, so this is where a NAR's per-byte cost is decided.

import { NarPushParser } from './nar-push-parser.js';

export { NarPushParser };

/**
 * Receives the tree as events, in the order of the NarWriter API. Every method is optional. A
 * method may return a promise: the parser goes on with the chunk it holds, and whoever pushes
 * awaits the promises (takePending) before pushing the next chunk. Byte arrays handed out are
 * views into the pushed chunks, valid until then: copy them to keep them longer.
 */
export interface NarVisitor {
  file?(executable: boolean, size: number): void | Promise<void>;
  contents?(chunk: Uint8Array): void | Promise<void>;
  endFile?(): void | Promise<void>;
  symlink?(target: Uint8Array): void | Promise<void>;
  startDirectory?(): void | Promise<void>;
  entry?(name: Uint8Array): void | Promise<void>;
  endEntry?(): void | Promise<void>;
  endDirectory?(): void | Promise<void>;
}

/**
 * Parses the NAR read from `source`, handing its tree to `visitor`; each chunk is parsed whole,
 * then what the visitor returned to wait for is awaited before the next chunk is read.
 * `onChunk` sees every chunk before it is parsed (to hash or count it) and may throw to stop. It
 * may return a promise (a hash computed on another thread while the chunk is parsed): that too is
 * awaited before the next chunk is read, since the source may reuse the chunk's buffer.
 */
export async function parseNar(
  source: AsyncIterable<Uint8Array>,
  visitor: NarVisitor = {},
  onChunk?: (chunk: Uint8Array) => void | Promise<void>,
): Promise<void> {
  const parser = new NarPushParser(visitor);
  let seen: void | Promise<void> = undefined;
  try {
    for await (const chunk of source) {
      seen = onChunk?.(chunk);
      parser.push(chunk);
      const pending = parser.takePending();
      if (pending) await pending;
      if (seen) await seen;
      seen = undefined;
    }
  } finally {
    // What the visitor and onChunk started settles before an error (their own or the source's)
    // is reported.
    const pending = parser.takePending();
    if (pending) await pending.catch(() => undefined);
    if (seen) await seen.catch(() => undefined);
  }
  parser.end();
}
