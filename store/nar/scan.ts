// Which store paths a tree refers to: Nix scans the NAR serialisation of the tree for the hash
// parts of candidate paths, so contents, symlink targets and even entry names all count.

import { type Hash, HashSink, RefScanner } from '../format/index.js';
import { dumpPath } from './dump.js';

export async function scanReferences(hostPath: string, candidateHashParts: Iterable<string>): Promise<Set<string>> {
  const scanner = new RefScanner(candidateHashParts);
  await dumpPath(hostPath, (chunk) => scanner.update(chunk), { emitKeepsChunks: false });
  return scanner.found;
}

/**
 * NAR hash, size and references in one walk of the tree: what registering a build output needs,
 * for the price of one read of its files.
 */
export async function hashAndScanPath(
  hostPath: string,
  candidateHashParts: Iterable<string>,
): Promise<{ narHash: Hash; narSize: number; references: Set<string> }> {
  const scanner = new RefScanner(candidateHashParts);
  const sink = new HashSink('sha256');
  await dumpPath(
    hostPath,
    (chunk) => {
      sink.update(chunk);
      scanner.update(chunk);
    },
    { emitKeepsChunks: false },
  );
  return { narHash: sink.digest(), narSize: sink.size, references: scanner.found };
}
