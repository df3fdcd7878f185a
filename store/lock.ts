// Cross-process locks as lock files holding their owner's pid (and, on Linux, the owner's start
// time). Node has no flock(), so a lock whose owner is dead (a SIGKILLed wpm) is broken by the
// next process that wants it. The start time tells a dead owner from a new process that was
// given the same pid since, which would otherwise keep the lock looking held forever.
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

const held = new Set<string>();

/**
 * When a process started, in clock ticks since boot (field 22 of /proc/PID/stat), or undefined
 * where there is no /proc. Field 2, the command name, may hold spaces and parentheses, so fields
 * are counted from the last ')'.
 */
function startTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3];
  } catch {
    return undefined;
  }
}

const ownStart = startTime(process.pid);
const token = ownStart === undefined ? `${process.pid}` : `${process.pid} ${ownStart}`;

interface Owner {
  pid: number;
  /** Absent in lock files from systems without /proc. */
  start?: string;
}

/** Is the owner recorded in a lock file still running (the same process, not just the same pid)? */
function ownerAlive(owner: Owner): boolean {
  if (!pidAlive(owner.pid)) return false;
  if (owner.start === undefined) return true;
  const now = owner.pid === process.pid ? ownStart : startTime(owner.pid);
  // A pid we cannot look into (another user's, with hidepid) is taken at its word.
  return now === undefined || now === owner.start;
}

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

function readOwner(lockPath: string): Owner | undefined {
  let text: string;
  try {
    text = fs.readFileSync(lockPath, 'utf8');
  } catch {
    return undefined; // released meanwhile
  }
  const [pid, start] = text.trim().split(' ');
  return start === undefined ? { pid: Number(pid) } : { pid: Number(pid), start };
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
 * Break the lock if its owner is dead; true if it was broken. Breakers first take `<lock>.break`:
 * with it held, nobody but us may delete the lock (owners only delete their own, and its owner is
 * dead), so the lock we read as stale is still the one we unlink — not a fresh lock another
 * waiter took in between.
 */
export function breakStaleLock(lockPath: string): boolean {
  const owner = readOwner(lockPath);
  if (owner === undefined || ownerAlive(owner)) return false;
  const breaker = `${lockPath}.break`;
  if (!tryAcquire(breaker)) {
    breakStaleBreaker(breaker);
    return false;
  }
  try {
    const again = readOwner(lockPath);
    if (again === undefined || ownerAlive(again)) return false;
    fs.rmSync(lockPath, { force: true });
    return true;
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

/** Is this file a lock of a process that is no longer running (a SIGKILLed wpm's)? */
export function isStaleLock(lockPath: string): boolean {
  const owner = readOwner(lockPath);
  return owner !== undefined && !ownerAlive(owner);
}

/**
 * Remove the locks of dead processes in a locks directory, each through breakStaleLock, so a
 * lock taken afresh meanwhile is never the one removed. Returns the locks removed.
 */
export function sweepStaleLocks(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const swept: string[] = [];
  for (const name of names) {
    const lockPath = path.join(dir, name);
    if (name.endsWith('.lock') && breakStaleLock(lockPath)) swept.push(lockPath);
    else if (name.endsWith('.lock.break') && isStaleLock(lockPath)) {
      breakStaleBreaker(lockPath);
      if (!fs.existsSync(lockPath)) swept.push(lockPath);
    }
  }
  return swept;
}

/**
 * A breaker killed inside its few-microsecond critical section leaves `.break` behind. It is moved
 * aside to a private name and checked there; if what we moved has a live owner after all, it is put
 * back. (Two processes doing this at once in that window is the one race left without flock().)
 */
export function breakStaleBreaker(breaker: string): void {
  const owner = readOwner(breaker);
  if (owner === undefined || ownerAlive(owner)) return;
  const tomb = `${breaker}.stale-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(breaker, tomb);
  } catch {
    return;
  }
  const moved = readOwner(tomb);
  if (moved !== undefined && ownerAlive(moved)) {
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
    breakStaleLock(lockPath);
    if (tryAcquire(lockPath)) break;
    if (!told) {
      opts.onWait?.();
      told = true;
    }
    if (opts.timeoutMs !== undefined && Date.now() - start > opts.timeoutMs) {
      throw new WpmError('ERR_LOCK_TIMEOUT', `timed out waiting for lock ${lockPath}`, {
        hint: `held by pid ${readOwner(lockPath)?.pid ?? '?'}`,
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
  return owner !== undefined && ownerAlive(owner);
}

/** The pid holding a lock, if it is alive. */
export function lockOwner(lockPath: string): number | undefined {
  const owner = readOwner(lockPath);
  return owner !== undefined && ownerAlive(owner) ? owner.pid : undefined;
}
