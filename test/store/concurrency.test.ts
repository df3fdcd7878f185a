// Several processes share one store: they add and register the same and overlapping paths at the
// same moment. Every path is moved into the store and registered exactly once, every process
// succeeds, and the store is left clean.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeTree } from '../../store/index.js';
import { checkClean, lines, makeTree, outputPathFor, requireDist, scratchDir, startWorker, type WorkerResult } from './store-procs.js';
import { prng } from './trees.js';

const PROCS = 8;

/** Checks what the workers printed: one install per path, and everybody saw the same inodes. */
function checkWrittenOnce(home: string, results: WorkerResult[], expectedPaths: number): void {
  const installs = new Map<string, number>();
  const seen = new Map<string, Set<string>>();
  for (const r of results) {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const [p] of lines(r.stdout, 'installed')) installs.set(p!, (installs.get(p!) ?? 0) + 1);
    for (const [p, dirIno, infoIno] of lines(r.stdout, 'added')) {
      if (!seen.has(p!)) seen.set(p!, new Set());
      seen.get(p!)!.add(`${dirIno} ${infoIno}`);
    }
  }
  expect(seen.size).toBe(expectedPaths);
  for (const [p, inodes] of seen) {
    expect(installs.get(p), `installs of ${p}`).toBe(1);
    // Were a path written twice, its directory or info file would have a new inode.
    expect([...inodes], `inodes of ${p}`).toHaveLength(1);
    const base = path.basename(p);
    const now = `${fs.lstatSync(path.join(home, 'store', base)).ino} ${fs.statSync(path.join(home, 'db', `${base.slice(0, 32)}.json`)).ino}`;
    expect(now).toBe([...inodes][0]);
  }
}

describe('concurrent processes sharing a store', () => {
  it(`${PROCS} processes adding the same and overlapping trees write each path once`, async () => {
    requireDist();
    const root = scratchDir('conc-add');
    const home = path.join(root, 'home');
    const shared = [0, 1, 2, 3].map((i) => path.join(root, `shared${i}`));
    const overlap = Array.from({ length: PROCS }, (_, i) => path.join(root, `overlap${i}`));
    shared.forEach((d, i) => makeTree(d, 200, 100 + i));
    overlap.forEach((d, i) => makeTree(d, 100, 200 + i));
    const rand = prng(7);
    const workers = Array.from({ length: PROCS }, (_, k) => {
      const mine = [...shared, overlap[k]!, overlap[(k + 1) % PROCS]!].sort(() => rand() - 0.5);
      return startWorker('add', home, mine);
    });
    const results = await Promise.all(workers.map((w) => w.done));
    checkWrittenOnce(home, results, shared.length + overlap.length);
    checkClean(home, shared.length + overlap.length);
    removeTree(root);
  }, 120_000);

  it(`${PROCS} processes registering the same build output register it once`, async () => {
    requireDist();
    const root = scratchDir('conc-reg');
    const home = path.join(root, 'home');
    const src = path.join(root, 'out');
    makeTree(src, 300, 5);
    const workers = Array.from({ length: PROCS }, () => startWorker('register', home, [src, 'same-output']));
    const results = await Promise.all(workers.map((w) => w.done));
    checkWrittenOnce(home, results, 1);
    expect(lines(results[0]!.stdout, 'added')[0]![0]).toBe(outputPathFor('same-output'));
    checkClean(home, 1);
    removeTree(root);
  }, 120_000);

  it(`${PROCS} processes adding overlapping batches of text objects leave each one valid and intact`, async () => {
    requireDist();
    const root = scratchDir('conc-text');
    const home = path.join(root, 'home');
    // Text objects take no lock (their bytes follow from their path), so two writers may both
    // write one; what must hold is that every process succeeds and the store verifies clean.
    const workers = Array.from({ length: PROCS }, (_, k) => startWorker('add-texts', home, [String(k * 50), String(k * 50 + 200)]));
    const results = await Promise.all(workers.map((w) => w.done));
    const added = new Set<string>();
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      for (const [p] of lines(r.stdout, 'added')) added.add(p!);
    }
    const expected = (PROCS - 1) * 50 + 200;
    expect(added.size).toBe(expected);
    checkClean(home, expected);
    removeTree(root);
  }, 120_000);
});
