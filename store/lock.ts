// Cross-process locks as lock files holding their owner's pid. Node has no flock(), so a lock
// whose owner is dead (a SIGKILLed wpm) is broken by the next process that wants it.
//
// A lock file is never seen empty: it is written under a private name and hard-linked into place
// (link(2) fails with EEXIST, like O_EXCL). Creating it with O_EXCL and then writing the pid would
// leave a moment where a waiter reads no owner, takes the lock for stale and breaks a live lock.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WpmError } from '../util/index.js';

export interface Lock {
  readonly path: string;
  release(): void;
}

const token = `${process.pid}`;
const held = new Set<string>();

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(lockPath: string): number | undefined {
  try {
    return Number(fs.readFileSync(lockPath, 'utf8'));
  } catch {
    return undefined; // released meanwhile
  }
}

/** One attempt; true if we now own the lock. */
function tryAcquire(lockPath: string): boolean {
  const mine = `${lockPath}.new-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(mine, token, { mode: 0o644 });
  try {
    fs.linkSync(mine, lockPath);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(mine, { force: true });
  }
}

/**
 * Break the lock if its owner is dead. Breakers first take `<lock>.break`: with it held, nobody but
 * us may delete the lock (owners only delete their own, and its owner is dead), so the lock we
 * read as stale is still the one we unlink — not a fresh lock another waiter took in between.
 */
function breakIfStale(lockPath: string): void {
  const owner = readOwner(lockPath);
  if (owner === undefined || pidAlive(owner)) return;
  const breaker = `${lockPath}.break`;
  if (!tryAcquire(breaker)) {
    breakStaleBreaker(breaker);
    return;
  }
  try {
    const again = readOwner(lockPath);
    if (again !== undefined && !pidAlive(again)) fs.rmSync(lockPath, { force: true });
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

/**
 * A breaker killed inside its few-microsecond critical section leaves `.break` behind. It is moved
 * aside to a private name and checked there; if what we moved has a live owner after all, it is put
 * back. (Two processes doing this at once in that window is the one race left without flock().)
 */
function breakStaleBreaker(breaker: string): void {
  const owner = readOwner(breaker);
  if (owner === undefined || pidAlive(owner)) return;
  const tomb = `${breaker}.stale-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(breaker, tomb);
  } catch {
    return;
  }
  const moved = readOwner(tomb);
  if (moved !== undefined && pidAlive(moved)) {
    try {
      fs.linkSync(tomb, breaker);
    } catch {
      // Taken again meanwhile: that owner is the breaker now.
    }
  }
  fs.rmSync(tomb, { force: true });
}

export interface LockOptions {
  /** Called once if the lock is busy, e.g. to tell the user what we wait for. */
  onWait?: () => void;
  /** Give up after this long (default: wait forever). */
  timeoutMs?: number;
}

export async function acquireLock(lockPath: string, opts: LockOptions = {}): Promise<Lock> {
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  const start = Date.now();
  let delay = 2;
  let told = false;
  while (!tryAcquire(lockPath)) {
    breakIfStale(lockPath);
    if (tryAcquire(lockPath)) break;
    if (!told) {
      opts.onWait?.();
      told = true;
    }
    if (opts.timeoutMs !== undefined && Date.now() - start > opts.timeoutMs) {
      throw new WpmError('ERR_LOCK_TIMEOUT', `timed out waiting for lock ${lockPath}`, {
        hint: `held by pid ${readOwner(lockPath) ?? '?'}`,
      });
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 100);
  }
  held.add(lockPath);
  return {
    path: lockPath,
    release() {
      if (!held.delete(lockPath)) return;
      fs.rmSync(lockPath, { force: true });
    },
  };
}

/** Is the lock at `lockPath` held by a live process (used by GC for running builds)? */
export function isLockHeld(lockPath: string): boolean {
  const owner = readOwner(lockPath);
  return owner !== undefined && pidAlive(owner);
}

/** The pid holding a lock, if it is alive. */
export function lockOwner(lockPath: string): number | undefined {
  const owner = readOwner(lockPath);
  return owner !== undefined && pidAlive(owner) ? owner : undefined;
}
