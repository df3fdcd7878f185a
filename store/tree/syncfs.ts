// syncfs(2) for Node, which has none: coreutils' `sync --file-system PATH` flushes every dirty
// file and the journal of the file system holding PATH, and waits until they are on disk. For a
// batch of hundreds of small files that is one journal commit where fsyncs, however many run at
// once, take several; the price is that other processes' dirty data on the same file system is
// written too (on a desktop or CI machine that is little: the kernel writes dirty pages back
// within 30 s anyway).
//
// The flush itself is native/syncfs (syncfs(2) on a pool thread) where that module was built:
// starting `sync` from a large Node process took more main-thread time than the flush.
//
// Used only where it is known to work: on Linux, with the native module or once a probe
// (`sync -f /dev/null`) succeeded. Elsewhere callers fsync file by file.
import type ChildProcess from 'node:child_process';
import { WpmError } from '../../util/index.js';
import { loadNative } from '../../util/dist-dir.js';
import { builtin } from '../../util/builtin.js';

/** Only where the native module is missing. */
const childProcess = builtin<typeof ChildProcess>('node:child_process');

let probe: Promise<boolean> | undefined;

type NativeSyncfs = { syncfs(path: string): Promise<void> };
const nativeSyncfs = (): NativeSyncfs | null => loadNative<NativeSyncfs>('syncfs');

function run(target: string): Promise<{ code: number | null; stderr: string; spawnError?: Error }> {
  return new Promise((resolve) => {
    let stderr = '';
    const child = childProcess().spawn('sync', ['-f', target], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (spawnError) => resolve({ code: null, stderr, spawnError }));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Can this machine flush a whole file system at once? Asked once per process. */
export function syncfsAvailable(): Promise<boolean> {
  if (process.platform !== 'linux' || process.env.WPM_FLUSH === 'fsync') return Promise.resolve(false);
  probe ??= nativeSyncfs() ? Promise.resolve(true) : run('/dev/null').then((r) => r.code === 0);
  return probe;
}

/**
 * Flush the file system holding `dir` (a directory of this store). Only call once
 * syncfsAvailable() said yes: a failure now is the disk's, and is reported, never passed over.
 */
export async function syncfs(dir: string): Promise<void> {
  const n = nativeSyncfs();
  if (n) {
    await n.syncfs(dir).catch((err: Error) => {
      throw new WpmError('ERR_STORE_IO', `cannot flush the file system holding ${dir} to disk: ${err.message}`);
    });
    return;
  }
  const r = await run(dir);
  if (r.code !== 0) {
    const why = r.spawnError?.message ?? (r.stderr.trim() || `exit ${r.code}`);
    throw new WpmError('ERR_STORE_IO', `cannot flush the file system holding ${dir} to disk: ${why}`);
  }
}
