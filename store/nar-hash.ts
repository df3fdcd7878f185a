// NAR hash and size of a tree on disk, without ever holding the NAR: the dump feeds the hash.

import { type Hash, type HashAlgo, HashSink } from './format/index.js';
import { dumpPath } from './nar-dump.js';

export async function hashPath(
  hostPath: string,
  opts: { algo?: HashAlgo } = {},
): Promise<{ narHash: Hash; narSize: number }> {
  const sink = new HashSink(opts.algo ?? 'sha256');
  // The hash consumes each chunk at once, so the dumper may reuse its read buffer.
  await dumpPath(hostPath, (chunk) => sink.update(chunk), { emitKeepsChunks: false });
  return { narHash: sink.digest(), narSize: sink.size };
}
