// The global GC lock, `locks/gc.lock`. GC and `verify` hold it while they decide what is garbage
// and delete it. Everyone else never takes it: they only wait while it is held, after recording a
// temporary root (see temp-roots.ts). Node has no shared/exclusive flock(), and this handshake needs
// none: adding paths never contends with adding paths.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HomeLayout } from '../home.js';
import { acquireLock, lockOwner, type Lock } from '../lock.js';

export function gcLockPath(layout: HomeLayout): string {
  return path.join(layout.locks, 'gc.lock');
}

export function acquireGcLock(layout: HomeLayout, onWait?: () => void): Promise<Lock> {
  return acquireLock(gcLockPath(layout), onWait ? { onWait } : {});
}

/** Is a collector (another process) deciding or deleting right now? */
export function gcRunning(layout: HomeLayout): boolean {
  const owner = lockOwner(gcLockPath(layout));
  return owner !== undefined && owner !== process.pid;
}

const POLL_MS = 20;

export async function waitWhileGcRuns(layout: HomeLayout): Promise<void> {
  while (gcRunning(layout)) await sleep(POLL_MS);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * The same, blocking: `isValid` is synchronous and must not answer while a collector that has
 * not seen our root may still delete the path. Collections are rare and short.
 */
export function waitWhileGcRunsSync(layout: HomeLayout): void {
  while (gcRunning(layout)) Atomics.wait(sleeper, 0, 0, POLL_MS);
}
