// Text objects: `.drv` files and wpm.writeText results, whose path is the hash of their bytes and
// their declared references. An evaluation adds them by the thousand, so they take a lighter road
// than registration: no lock (every writer of a path writes the same bytes), no fsync (re-evaluation
// recreates them; one torn by a power cut no longer matches its hash and `wpm store verify
// --repair` drops it), and one write of temporary roots for the whole batch.
import fs from 'node:fs';
import path from 'node:path';
import type WorkerThreads from 'node:worker_threads';
import { WpmError } from '../util/index.js';
import { builtin } from '../util/builtin.js';
import { formatHash, hashBytes, makeTextPathFromHash, type Hash } from './format/index.js';
import { hashFileContents } from './nar/index.js';
import type { PathInfo } from './path-info.js';
import type { StoreContext } from './store-context.js';
import { addTempRootsSync } from './temp-roots.js';

const workerThreads = builtin<typeof WorkerThreads>('node:worker_threads');

/** A text object to add: its name, bytes (as UTF-8) and declared references. */
export interface TextObject {
  name: string;
  text: string;
  references: readonly string[];
}

interface Prepared {
  item: TextObject;
  bytes: Buffer;
  contentHash: Hash;
  storePath: string;
}

let tmpCounter = 0;

/**
 * Add many text objects at once. The bytes are written in place (the path is rooted and not valid
 * yet), or through tmp/ and a rename over a file another writer or a crash left there; the info is
 * an atomic rename that may replace an identical file. `rooted`: the caller has made the paths
 * temporary roots already (through areValid).
 */
export function addTextObjects(store: StoreContext, items: readonly TextObject[], opts: { rooted?: boolean } = {}): string[] {
  const texts: Prepared[] = items.map((item) => {
    const bytes = Buffer.from(item.text, 'utf8');
    const contentHash = hashBytes('sha256', bytes);
    return { item, bytes, contentHash, storePath: makeTextPathFromHash(item.name, contentHash, item.references) };
  });
  const paths = texts.map((t) => t.storePath);
  // Rooted before anything lands in store/, so GC never takes a half-written one for garbage.
  if (!opts.rooted) addTempRootsSync(store.layout, paths);
  // A valid one is left alone: its info may carry signatures since added under its lock.
  for (const t of texts) if (!store.db.has(t.storePath)) writeTextObject(store, t);
  return paths;
}

function writeTextObject(store: StoreContext, { item, bytes, contentHash, storePath }: Prepared): void {
  const dest = store.toHost(storePath);
  store.hooks.onInstalling?.(storePath);
  try {
    writeNewFile(dest, bytes);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new WpmError('ERR_STORE_IO', `cannot write ${storePath}: ${(err as Error).message}`, { cause: err });
    }
    // Another writer's, complete or not, or a crash's leftover: replaced whole by a complete one.
    // A bare file in tmp/, named for this process so GC and verify know whose leftover it is.
    // The pid first (GC and verify read it); the thread too, as the .drv writer's thread has its own store.
    const tmp = path.join(store.layout.tmp, `${process.pid}-text-${workerThreads().threadId}-${++tmpCounter}`);
    try {
      writeNewFile(tmp, bytes);
      fs.renameSync(tmp, dest);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw new WpmError('ERR_STORE_IO', `cannot write ${storePath}: ${(err as Error).message}`, { cause: err });
    }
  }
  const { narHash, narSize } = hashFileContents(bytes);
  const info: PathInfo = {
    path: storePath,
    narHash: formatHash(narHash, 'nix32'),
    narSize,
    // A text object's references are declared, not scanned (as in Nix).
    references: [...new Set(item.references)].sort(),
    signatures: [],
    ca: `text:${formatHash(contentHash, 'nix32')}`,
  };
  store.db.write(info, { durable: false });
  store.hooks.onInstalled?.(info);
}

/**
 * Create a file that must not exist yet, read-only with the store's fixed timestamps. A text
 * object is written in place: it is not valid until its info file is renamed into db/, and until
 * then it is a temporary root of this process, so nothing reads it or takes it for garbage.
 */
function writeNewFile(file: string, bytes: Uint8Array): void {
  const fd = fs.openSync(file, 'wx', 0o444);
  try {
    fs.writeFileSync(fd, bytes); // all of them: a single writeSync may write fewer (a full disk)
    fs.futimesSync(fd, 1, 1);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true }); // ours, and torn
    throw err;
  }
  fs.closeSync(fd);
}
