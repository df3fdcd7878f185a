// Lock files between real processes: mutual exclusion holds while holders are SIGKILLed and
// several waiters race to break the stale lock at once.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { acquireLock, isLockHeld, removeTree } from '../../store/index.js';
import { isWpmError } from '../../util/errors.js';
import { requireDist, scratchDir, startWorker } from './store-procs.js';

const STRESSERS = 6;
const ROUNDS = 30;
const KILLED_HOLDERS = 5;

describe('lock files', () => {
  it(`stay exclusive across ${STRESSERS} processes while ${KILLED_HOLDERS} holders are SIGKILLed holding them`, async () => {
    requireDist();
    const root = scratchDir('lock');
    const home = path.join(root, 'home');
    const lockFile = path.join(home, 'locks', 'contended.lock');
    const log = path.join(root, 'log');
    fs.mkdirSync(path.dirname(lockFile), { recursive: true });
    fs.writeFileSync(log, '');
    // The stressers start while a holder holds the lock and dies: they all wait on a stale lock.
    const first = startWorker('hold-lock', home, [lockFile, log]);
    await first.printed('ready');
    const stressers = Array.from({ length: STRESSERS }, () => startWorker('lock-stress', home, [lockFile, String(ROUNDS), log]));
    await sleep(300);
    first.child.kill('SIGKILL');
    await first.done;
    for (let i = 1; i < KILLED_HOLDERS; i++) {
      const holder = startWorker('hold-lock', home, [lockFile, log]);
      await holder.printed('ready');
      holder.child.kill('SIGKILL');
      await holder.done;
    }
    for (const s of stressers) expect((await s.done).status).toBe(0);

    // Replay the log: nobody enters while someone else is inside, unless that one was killed there.
    let inside: { pid: string; holder: boolean } | undefined;
    let entries = 0;
    for (const line of fs.readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
      const [what, pid, holder] = line.split(' ');
      if (what === 'in') {
        expect(inside === undefined || inside.holder, `${line} while ${inside?.pid} holds the lock`).toBe(true);
        inside = { pid: pid!, holder: holder === 'holder' };
        entries++;
      } else {
        expect(inside?.pid, line).toBe(pid);
        inside = undefined;
      }
    }
    expect(entries).toBe(STRESSERS * ROUNDS + KILLED_HOLDERS);
    // Nothing is left behind but, if the last killed holder took it last, the stale lock itself:
    // no breaker lock, no private temp names.
    const left = fs.readdirSync(path.dirname(lockFile));
    expect(left.filter((n) => n !== 'contended.lock')).toEqual([]);
    if (left.length > 0) expect(isLockHeld(lockFile)).toBe(false);
    removeTree(root);
  }, 60_000);
});

describe('lock owners', () => {
  it("breaks a lock whose pid now belongs to another process, and keeps a live owner's", async () => {
    requireDist();
    const root = scratchDir('lock-owner');
    const home = path.join(root, 'home');
    const lockFile = path.join(home, 'locks', 'owned.lock');
    fs.mkdirSync(path.dirname(lockFile), { recursive: true });
    const holder = startWorker('hold-lock', home, [lockFile, path.join(root, 'log')]);
    await holder.printed('ready');
    const [pid, start] = fs.readFileSync(lockFile, 'utf8').split(' ');
    expect(Number(pid)).toBe(holder.child.pid);
    expect(start).toMatch(/^\d+$/); // Linux: the owner's start time is recorded
    expect(isLockHeld(lockFile)).toBe(true);
    const busy = await acquireLock(lockFile, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(isWpmError(busy, 'ERR_LOCK_TIMEOUT')).toBe(true);

    // A lock left by a dead process whose pid the holder has since been given: same pid, other start.
    fs.writeFileSync(lockFile, `${pid} ${Number(start) - 1}`);
    expect(isLockHeld(lockFile)).toBe(false);
    const lock = await acquireLock(lockFile, { timeoutMs: 5_000 });
    expect(fs.readFileSync(lockFile, 'utf8')).toMatch(new RegExp(`^${process.pid} \\d+$`));
    lock.release();
    expect(fs.existsSync(lockFile)).toBe(false);

    // Without a start time (a system with no /proc) a live pid is taken at its word.
    fs.writeFileSync(lockFile, String(pid));
    expect(isLockHeld(lockFile)).toBe(true);
    holder.child.kill('SIGKILL');
    await holder.done;
    expect(isLockHeld(lockFile)).toBe(false);
    removeTree(root);
  }, 30_000);
});
