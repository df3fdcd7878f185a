// Cross-process locks as lock files created with O_EXCL. Node has no flock(), so a lock records its
// owner's pid and a lock whose owner is dead (a SIGKILLed wpm) is broken by the next process.
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

function ownerAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryAcquire(lockPath: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockPath, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  fs.writeSync(fd, token);
  fs.closeSync(fd);
  return true;
}

/**
 * Break the lock if its owner is dead. The stale file is first renamed to a name only we use, so
 * two processes breaking the same stale lock cannot both delete a fresh lock taken in between: the
 * loser finds a live owner in what it moved and puts it back.
 */
function breakIfStale(lockPath: string): void {
  let owner: number;
  try {
    owner = Number(fs.readFileSync(lockPath, 'utf8'));
  } catch {
    return; // released meanwhile, or being written: try again later
  }
  if (ownerAlive(owner)) return;
  const tomb = `${lockPath}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    fs.renameSync(lockPath, tomb);
  } catch {
    return;
  }
  const moved = Number(fs.readFileSync(tomb, 'utf8'));
  if (ownerAlive(moved)) {
    try {
      fs.linkSync(tomb, lockPath);
    } catch {
      // Somebody took the lock after we moved it; nothing better can be done without flock().
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
      throw new WpmError('ERR_LOCK_TIMEOUT', `timed out waiting for lock ${lockPath}`);
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
  try {
    return ownerAlive(Number(fs.readFileSync(lockPath, 'utf8')));
  } catch {
    return false;
  }
}
