// A store path's NAR as a pull stream (what HTTP responses and compressors consume), with
// backpressure: the dump waits while the consumer is behind, so memory stays flat.

import { PassThrough, type Readable } from 'node:stream';
import { dumpPath, type LocalStore } from '../index.js';

export function narSource(store: LocalStore, storePath: string): Readable {
  const out = new PassThrough({ highWaterMark: 4 << 20 });
  void dumpPath(store.toHost(storePath), async (chunk) => {
    if (out.destroyed) throw new Error('NAR consumer went away');
    if (!out.write(chunk)) await drained(out);
  }).then(
    () => out.end(),
    (err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))),
  );
  return out;
}

/** Resolves on 'drain' or 'close', removing both listeners either way (one write may wait many times). */
function drained(out: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}
