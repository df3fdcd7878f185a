// NAR hash and size of a tree on disk, without ever holding the NAR: the dump feeds the hash.

import fs from 'node:fs';
import { type Hash, type HashAlgo, HashSink, NarWriter } from '../format/index.js';
import { dumpPath } from './dump.js';

export async function hashPath(
  hostPath: string,
  opts: { algo?: HashAlgo } = {},
): Promise<{ narHash: Hash; narSize: number }> {
  const sink = new HashSink(opts.algo ?? 'sha256');
  // The hash consumes each chunk at once, so the dumper may reuse its read buffer.
  await dumpPath(hostPath, (chunk) => sink.update(chunk), { emitKeepsChunks: false });
  return { narHash: sink.digest(), narSize: sink.size };
}

/** NAR hash and size of a single regular file with these contents, computed in memory. */
export function hashFileContents(contents: Uint8Array, opts: { executable?: boolean; algo?: HashAlgo } = {}): { narHash: Hash; narSize: number } {
  const sink = new HashSink(opts.algo ?? 'sha256');
  const nar = new NarWriter((chunk) => sink.update(chunk));
  nar.file(opts.executable ?? false, contents.length);
  if (contents.length > 0) nar.contents(contents);
  nar.end();
  return { narHash: sink.digest(), narSize: sink.size };
}

/** The flat hash of a file's bytes (what `outputHashMode: 'flat'` and `wpm hash file` mean), read in 1 MiB chunks. */
export async function hashFlatFile(hostPath: string, algo: HashAlgo = 'sha256'): Promise<Hash> {
  const sink = new HashSink(algo);
  for await (const chunk of fs.createReadStream(hostPath, { highWaterMark: 1 << 20 })) sink.update(chunk as Buffer);
  return sink.digest();
}
