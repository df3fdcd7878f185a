// The durability trials of scripts/crash-trials.mjs, a few of each kind: the real CLI substituting
// a closure from a file:// cache and adding hundreds of paths, SIGKILLed at random moments;
// `wpm store verify` finds no registered path corrupt after each kill, and the next run completes.
// `npm run test:crash` runs 30 trials of each kind on a larger closure.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { requireDist } from './store-procs.js';

const TRIALS = 3;

interface Tally {
  paths: number;
  trials: number;
  killed: number;
  'finished before the kill': number;
  'none valid': number;
  'some valid': number;
  'all valid': number;
}

describe('crash trials', () => {
  it(`SIGKILLed substitutions and adds leave nothing corrupt, and the next run completes (${TRIALS} trials each)`, () => {
    requireDist();
    const r = spawnSync(
      process.execPath,
      [path.join(REPO, 'scripts', 'crash-trials.mjs'), '--trials', String(TRIALS), '--mb', '24', '--paths', '8', '--adds', '120', '--seed', '20261203', '--json'],
      { encoding: 'utf8', maxBuffer: 16 << 20 },
    );
    expect(r.stderr).not.toMatch(/crash trial failed/);
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout) as { substitute: Tally; add: Tally };
    expect(result.substitute.paths).toBe(9);
    expect(result.add.paths).toBe(120);
    for (const tally of [result.substitute, result.add]) {
      expect(tally.trials).toBe(TRIALS);
      // Every trial is accounted for: killed (leaving none, some or all valid) or finished first.
      expect(tally['none valid'] + tally['some valid'] + tally['all valid']).toBe(tally.killed);
      expect(tally.killed + tally['finished before the kill']).toBe(TRIALS);
    }
  }, 300_000);
});
