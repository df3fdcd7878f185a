// Which store paths a tree refers to: Nix scans the NAR serialisation of the tree for the hash
// parts of candidate paths, so contents, symlink targets and even entry names all count.

import { RefScanner } from './format/index.js';
import { dumpPath } from './nar-dump.js';

export async function scanReferences(hostPath: string, candidateHashParts: Iterable<string>): Promise<Set<string>> {
  const scanner = new RefScanner(candidateHashParts);
  await dumpPath(hostPath, (chunk) => scanner.update(chunk), { emitKeepsChunks: false });
  return scanner.found;
}
