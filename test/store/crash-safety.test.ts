// A process adding or registering a path is SIGKILLed at random moments. Whatever the moment, the
// path is either not valid or valid and complete, `wpm store verify` finds nothing corrupt, and the
// next process to add the same path succeeds (stale lock broken, leftover directory replaced).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { formatHash, hashPath, makeSourcePath, removeTree } from '../../store/index.js';
import { wpm } from '../helpers/cli.js';
import { makeTree, outputPathFor, requireDist, runWorker, scratchDir, startWorker } from './store-procs.js';
import { prng } from './trees.js';

const FILES = 1500;
const TRIALS = 32;

type Outcome = 'nothing' | 'temp leftover' | 'store leftover' | 'valid';
type Tally = Outcome | 'finished before the kill';

/** What a killed run left for `storePath`, checking that a valid path holds exactly `expected`. */
async function inspect(home: string, storePath: string, expectedNarHash: string, tmpBefore: Set<string>): Promise<Outcome> {
  const base = path.basename(storePath);
  const infoFile = path.join(home, 'db', `${base.slice(0, 32)}.json`);
  const host = path.join(home, 'store', base);
  if (fs.existsSync(infoFile)) {
    const info = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as { narHash: string; narSize: number };
    const onDisk = await hashPath(host);
    // Valid means complete: the bytes on disk are the whole tree, and the info says so.
    expect(formatHash(onDisk.narHash, 'nix32')).toBe(expectedNarHash);
    expect(info.narHash).toBe(expectedNarHash);
    expect(info.narSize).toBe(onDisk.narSize);
    return 'valid';
  }
  if (fs.existsSync(host)) return 'store leftover';
  return fs.readdirSync(path.join(home, 'tmp')).some((n) => !tmpBefore.has(n)) ? 'temp leftover' : 'nothing';
}

describe('crash safety', () => {
  it(`leaves no partial valid path when a process adding or registering ${FILES} files is SIGKILLed at random (${TRIALS} trials)`, async () => {
    requireDist();
    const root = scratchDir('crash');
    const home = path.join(root, 'home');
    const src = path.join(root, 'src');
    makeTree(src, FILES);
    const rand = prng(20261122);

    const started = Date.now();
    // How long each kind of run takes uninterrupted once Node has started, so the kills spread over
    // all of it.
    const timed = async (cmd: string, args: string[]) => {
      const w = startWorker(cmd, home, args);
      await w.printed('start');
      const t = Date.now();
      expect((await w.done).status).toBe(0);
      return Date.now() - t;
    };
    const addMs = await timed('add', [src]);
    const registerMs = await timed('register', [src, 'warmup']);
    const outcomes: Record<Tally, number> = { nothing: 0, 'temp leftover': 0, 'store leftover': 0, valid: 0, 'finished before the kill': 0 };
    for (let trial = 0; trial < TRIALS; trial++) {
      // Each trial makes a path of its own: the tree changes by one file.
      fs.writeFileSync(path.join(src, 'trial'), `${trial}\n`);
      const srcHash = (await hashPath(src)).narHash;
      const expected = formatHash(srcHash, 'nix32');
      const register = trial % 2 === 1;
      const storePath = register ? outputPathFor(`trial-${trial}`) : makeSourcePath(srcHash, 'src');
      const args = register ? [src, `trial-${trial}`] : [src];
      const tmpBefore = new Set(fs.readdirSync(path.join(home, 'tmp')));
      const run = startWorker(register ? 'register' : 'add', home, args);
      await run.printed('start');
      // Half the kills anywhere, a quarter in the last stretch (normalise, hash, fsync), a quarter
      // within a few milliseconds of the rename into the store: short, but where the states are.
      const span = register ? registerMs : addMs;
      if (trial % 4 < 2) await sleep(rand() * span);
      else if (trial % 4 === 2) await sleep(span * (0.6 + 0.45 * rand()));
      else {
        await run.printed(`installing ${storePath}`).catch(() => undefined);
        await sleep(rand() * 4);
      }
      run.child.kill('SIGKILL');
      const killed = await run.done;
      if (killed.status !== 0) expect(killed.signal).toBe('SIGKILL');
      const outcome = await inspect(home, storePath, expected, tmpBefore);
      outcomes[killed.status === 0 ? 'finished before the kill' : outcome]++;

      if (killed.status !== 0) {
        // The next run of the same work succeeds and leaves the complete path.
        const again = runWorker(register ? 'register' : 'add', home, args);
        expect(again.stderr).toBe('');
        expect(again.status).toBe(0);
        expect(await inspect(home, storePath, expected, tmpBefore)).toBe('valid');
      }
      if (trial % 16 === 15) {
        const v = wpm(['store', 'verify'], { home });
        expect(v.stdout + v.stderr).not.toMatch(/corrupt/);
        expect(v.status).toBe(0);
      }
    }
    console.log(`crash outcomes over ${TRIALS} trials in ${Date.now() - started} ms (add ≈ ${addMs} ms, register ≈ ${registerMs} ms):`, outcomes);

    // Whatever the kills left is garbage, never corruption; repair sweeps it and invalidates nothing.
    const v = wpm(['store', 'verify'], { home });
    expect(v.stdout).not.toMatch(/corrupt/);
    expect(v.status).toBe(0);
    const repaired = wpm(['store', 'verify', '--repair', '--json'], { home });
    expect(repaired.status).toBe(0);
    const report = JSON.parse(repaired.stdout) as { checked: number; problems: unknown[]; invalidated: string[] };
    expect(report.problems).toEqual([]);
    expect(report.invalidated).toEqual([]);
    expect(report.checked).toBe(TRIALS + 2);
    expect(fs.readdirSync(path.join(home, 'tmp'))).toEqual([]);
    expect(fs.readdirSync(path.join(home, 'store')).length).toBe(TRIALS + 2);
    removeTree(root);
  }, 240_000);

  it('recovers from each state a crash inside install can leave: store directory without info, stale lock, info temp', () => {
    requireDist();
    const root = scratchDir('crash-states');
    const home = path.join(root, 'home');
    const src = path.join(root, 'src');
    makeTree(src, 50);
    // A first add tells us the path; then we put back what a crash after the rename would leave.
    const first = runWorker('add', home, [src]);
    const [storePath] = first.stdout.split('\n').find((l) => l.startsWith('added '))!.split(' ').slice(1);
    const hashPart = path.basename(storePath!).slice(0, 32);
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    fs.renameSync(path.join(home, 'db', `${hashPart}.json`), path.join(home, 'db', `${hashPart}.json.tmp-${dead}`));
    fs.writeFileSync(path.join(home, 'locks', `${hashPart}.lock`), String(dead));
    fs.writeFileSync(path.join(home, 'locks', `${hashPart}.lock.new-${dead}-0badf00d`), String(dead));
    fs.mkdirSync(path.join(home, 'tmp', `${dead}-add-XXXXXX`));

    const v = wpm(['store', 'verify', '--json'], { home });
    expect(v.status).toBe(0);
    const report = JSON.parse(v.stdout) as { problems: unknown[]; garbage: { kind: string; storePath?: string }[] };
    expect(report.problems).toEqual([]);
    expect(report.garbage.map((g) => g.kind).sort()).toEqual(['info-temp', 'invalid-path', 'lock-temp', 'stale-lock', 'temp-dir']);
    expect(report.garbage.find((g) => g.kind === 'invalid-path')!.storePath).toBe(storePath);

    // The next add breaks the stale lock, replaces the leftover directory and makes the path valid.
    const again = runWorker('add', home, [src]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`installed ${storePath}`);
    const after = wpm(['store', 'verify', '--repair', '--json'], { home });
    expect(JSON.parse(after.stdout).problems).toEqual([]);
    expect(fs.readdirSync(path.join(home, 'locks'))).toEqual([]);
    expect(fs.readdirSync(path.join(home, 'tmp'))).toEqual([]);
    removeTree(root);
  });
});
