// A step's result directory as the step runner leaves it on a worker (outputs/<name>, log,
// status.json), made from a build done here, as a REAPI `Tree`: what `--remote-upload` puts in
// the Action Cache so that a later client gets it exactly as if a worker had built it.
import fs from 'node:fs';
import type { BlobSource } from './cas.js';
import type { Digest } from './digest.js';
import { MerkleBuilder, type DirEntries } from './merkle.js';
import { encodeMessage, REAPI } from './proto.js';
import type { RunnerStatus } from './step-spec.js';

export function resultTree(outputs: Record<string, string>, logFile: string): { tree: Digest; blobs: BlobSource[] } {
  const m = new MerkleBuilder(false);
  const entries: DirEntries = {};
  for (const [name, host] of Object.entries(outputs)) {
    if (fs.lstatSync(host, { throwIfNoEntry: false })) entries[name] = m.host(host);
  }
  const status: RunnerStatus = { exitCode: 0, durationMs: 0 };
  const root = m.directory({
    outputs: { kind: 'dir', digest: m.directory(entries) },
    log: m.file(fs.existsSync(logFile) ? fs.readFileSync(logFile) : Buffer.alloc(0)),
    'status.json': m.file(Buffer.from(JSON.stringify(status))),
  });
  const treeBytes = encodeMessage(`${REAPI}.Tree`, { root: m.directoryMessage(root), children: m.childrenOf(root) });
  const tree = m.file(treeBytes) as { digest: Digest };
  return { tree: tree.digest, blobs: [...m.blobsOf(root), { digest: tree.digest, bytes: treeBytes }] };
}
