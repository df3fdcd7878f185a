// The path info the tab registers for what it makes itself, as the CLI's store records it:
// - a build output (store/registration.ts's describeTree, as runtime/scheduler/local-builder.ts
//   registers it): NAR hash and size, references found by scanning the NAR for the hash parts of
//   the step's input closure and its own outputs, and the `.drv` as deriver;
// - a text object (a `.drv` written by an edit; store/text-objects.ts): declared references and
//   `ca: text:<sha256 of the text>`;
// - a single-file source (an edited file; store/registration.ts's addSources): no references and
//   `ca: fixed:r:<NAR hash>`.
import { formatHash, hashBytes } from '../../store/format/hash.js';
import { RefScanner } from '../../store/format/ref-scanner.js';
import { parseStorePath } from '../../store/format/store-path.js';
import type { PathInfo } from '../store/opfs-store.js';

/** `sha256:<nix32>` of a NAR, as path infos spell it. */
export function narHashText(nar: Uint8Array): string {
  return formatHash(hashBytes('sha256', nar), 'nix32');
}

export interface BuiltOutput {
  storePath: string;
  nar: Uint8Array;
  /** The NAR's hash if already computed (the step worker does). */
  narHash?: string;
  drvPath: string;
  /** The store paths the output may refer to: the step's input closure and its outputs. */
  candidates: readonly string[];
}

export function builtOutputInfo(o: BuiltOutput): PathInfo {
  const byHash = new Map<string, string>();
  for (const c of o.candidates) byHash.set(parseStorePath(c).hashPart, c);
  byHash.set(parseStorePath(o.storePath).hashPart, o.storePath);
  // The NAR is the byte stream the CLI scans while dumping the tree (store/nar/scan.ts).
  const scanner = new RefScanner(byHash.keys());
  scanner.update(o.nar);
  return {
    path: o.storePath,
    narHash: o.narHash ?? narHashText(o.nar),
    narSize: o.nar.length,
    references: [...scanner.found].map((h) => byHash.get(h)!).sort(),
    deriver: o.drvPath,
    signatures: [],
  };
}

export function textObjectInfo(storePath: string, text: Uint8Array, nar: Uint8Array, references: readonly string[]): PathInfo {
  return {
    path: storePath,
    narHash: narHashText(nar),
    narSize: nar.length,
    references: [...new Set(references)].sort(),
    signatures: [],
    ca: `text:${formatHash(hashBytes('sha256', text), 'nix32')}`,
  };
}

export function sourceInfo(storePath: string, nar: Uint8Array): PathInfo {
  const narHash = narHashText(nar);
  return { path: storePath, narHash, narSize: nar.length, references: [], signatures: [], ca: `fixed:r:${narHash}` };
}
