#!/usr/bin/env node
// Crash trials for the store's durability promise, with the real CLI: a large substitution
// (`wpm copy --from file://CACHE ROOT`, a generated closure) and a large add (`wpm store add` of
// hundreds of paths, a few of them large) are SIGKILLed at random moments. After each kill,
// `wpm store verify` must find no registered path whose contents do not match its info (leftovers
// are garbage, never corruption); then the same command is run again in the same home and must
// complete, leaving every path valid. Exits 1 on the first trial that breaks this.
// Needs `npm run build`. `npm run test:crash` runs 30 trials of each kind; test/store/
// crash-trials.test.ts runs a few of each in the default suite.
//
//   node scripts/crash-trials.mjs [--trials 30] [--kind substitute|add|both] [--mb 80] [--paths 20]
//                                 [--adds 300] [--seed N] [--json]
//
// Homes live in /dev/shm where there is one: SIGKILL leaves the same states on any file system
// (the kernel keeps what a process wrote), and memory keeps dozens of runs quick on a busy machine.
// What a power cut would lose is the flush's business (store/tree/flush-batch.ts), not tested here.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WPM, makeClosure, wpm } from '../bench/lib/closure.mjs';

const { values: opts } = parseArgs({
  options: {
    trials: { type: 'string', default: '30' },
    kind: { type: 'string', default: 'both' },
    mb: { type: 'string', default: '80' },
    paths: { type: 'string', default: '20' },
    adds: { type: 'string', default: '300' },
    seed: { type: 'string', default: String(Date.now() % 1e9) },
    json: { type: 'boolean', default: false },
  },
});
const TRIALS = Number(opts.trials);
const log = (...a) => (opts.json ? console.error(...a) : console.log(...a));

function scratchRoot() {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return mkdtempSync('/dev/shm/wpm-crash-trials-');
  } catch {
    return mkdtempSync(join(tmpdir(), 'wpm-crash-trials-'));
  }
}

/** A small deterministic generator, so a failing trial can be run again with --seed. */
function prng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}
const rand = prng(Number(opts.seed));

class TrialFailure extends Error {}

/** `wpm store verify --json` in `home`: the report, or a failure naming what is wrong. */
function verify(home, what) {
  const r = spawnSync(process.execPath, [WPM, 'store', 'verify', '--json'], { env: { ...process.env, WPM_HOME: home }, encoding: 'utf8', maxBuffer: 64 << 20 });
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new TrialFailure(`${what}: wpm store verify exited ${r.status} without a report: ${r.stderr}`);
  }
  if (r.status !== 0 || report.problems.length > 0) throw new TrialFailure(`${what}: wpm store verify found problems: ${JSON.stringify(report.problems)} ${r.stderr}`);
  return report;
}

function run(args, home) {
  const started = Date.now();
  const child = spawn(process.execPath, [WPM, ...args], { env: { ...process.env, WPM_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stderr, ms: Date.now() - started })));
  return { child, done };
}

/**
 * One kind of trial: `args` run in a fresh home per trial, killed at a random moment of a run
 * that takes about `ms` uninterrupted, then verified and run again.
 */
async function trials(kind, args, expectedPaths, ms, root) {
  const tally = { trials: 0, killed: 0, 'finished before the kill': 0, 'none valid': 0, 'some valid': 0, 'all valid': 0, garbageKinds: {} };
  for (let t = 0; t < TRIALS; t++) {
    const home = join(root, `${kind}-${t}`);
    // A third of the kills anywhere (Node's start included), a third in the second half, a third
    // in the last fifth and just past it, where the flush and the registration are.
    const f = t % 3 === 0 ? rand() : t % 3 === 1 ? 0.5 + 0.5 * rand() : 0.8 + 0.25 * rand();
    const p = run(args, home);
    await new Promise((r) => setTimeout(r, f * ms));
    p.child.kill('SIGKILL');
    const killed = await p.done;
    tally.trials++;
    const what = `${kind} trial ${t} (seed ${opts.seed}, killed at ${(f * 100).toFixed(0)}% of ${ms} ms)`;
    if (killed.status === 0) tally['finished before the kill']++;
    else if (killed.signal !== 'SIGKILL') throw new TrialFailure(`${what}: the run failed before the kill: ${killed.stderr}`);
    else tally.killed++;

    // What the kill left: registered paths are complete (verify re-hashes every one).
    const after = verify(home, `${what}, after the kill`);
    if (killed.status !== 0) tally[after.checked === 0 ? 'none valid' : after.checked >= expectedPaths ? 'all valid' : 'some valid']++;
    for (const g of after.garbage) tally.garbageKinds[g.kind] = (tally.garbageKinds[g.kind] ?? 0) + 1;

    // The next run completes, and leaves all of it valid.
    const again = await run(args, home).done;
    if (again.status !== 0) throw new TrialFailure(`${what}: the next run exited ${again.status}: ${again.stderr}`);
    const final = verify(home, `${what}, after the next run`);
    if (final.checked !== expectedPaths) throw new TrialFailure(`${what}: ${final.checked} valid paths after the next run, expected ${expectedPaths}`);
    rmSync(home, { recursive: true, force: true });
  }
  return tally;
}

/** Sources for the large add: many small paths (files and directories) and a few large files. */
function addSources(dir, count) {
  const sources = [];
  for (let i = 0; i < count; i++) {
    if (i % 100 === 99) {
      const f = join(dir, `big${i}.bin`);
      const b = Buffer.alloc(8 << 20, i % 251);
      b.writeUInt32LE(i, 0);
      writeFileSync(f, b);
      sources.push(f);
    } else if (i % 2 === 0) {
      const f = join(dir, `file${i}`);
      writeFileSync(f, `small file ${i}\n`.repeat(1 + (i % 50)));
      sources.push(f);
    } else {
      const d = join(dir, `dir${i}`);
      mkdirSync(join(d, 'sub'), { recursive: true });
      for (let j = 0; j < 10; j++) writeFileSync(join(d, j < 5 ? `f${j}` : `sub/f${j}`), `dir ${i} file ${j}\n`);
      sources.push(d);
    }
  }
  return sources;
}

/** An uninterrupted run's time, in a home of its own: where the kills are spread. */
async function timeOnce(args, home, expectedPaths) {
  const r = await run(args, home).done;
  if (r.status !== 0) throw new TrialFailure(`wpm ${args.slice(0, 2).join(' ')} failed uninterrupted: ${r.stderr}`);
  if (verify(home, 'the uninterrupted run').checked !== expectedPaths) throw new TrialFailure(`the uninterrupted run did not leave ${expectedPaths} valid paths`);
  return r.ms;
}

const root = scratchRoot();
const results = {};
try {
  if (opts.kind === 'substitute' || opts.kind === 'both') {
    const { root: closureRoot, pub, infos, bytes } = await makeClosure(root, join(root, 'source'), { mb: Number(opts.mb), paths: Number(opts.paths) });
    const cache = join(root, 'cache');
    wpm(['copy', '--to', `file://${cache}`, closureRoot], join(root, 'source'));
    const args = ['copy', '--from', `file://${cache}`, '--trusted-public-keys', pub, closureRoot];
    const ms = await timeOnce(args, join(root, 'substitute-timing'), infos.length);
    log(`substitution: ${infos.length} paths, ${(bytes / 1e6).toFixed(0)} MB of NAR, ${ms} ms uninterrupted`);
    results.substitute = { paths: infos.length, narBytes: bytes, uninterruptedMs: ms, ...(await trials('substitute', args, infos.length, ms, root)) };
    log(results.substitute);
  }
  if (opts.kind === 'add' || opts.kind === 'both') {
    const src = join(root, 'add-src');
    mkdirSync(src);
    const sources = addSources(src, Number(opts.adds));
    const args = ['store', 'add', ...sources];
    const ms = await timeOnce(args, join(root, 'add-timing'), sources.length);
    log(`add: ${sources.length} paths, ${ms} ms uninterrupted`);
    results.add = { paths: sources.length, uninterruptedMs: ms, ...(await trials('add', args, sources.length, ms, root)) };
    log(results.add);
  }
  if (opts.json) console.log(JSON.stringify({ seed: Number(opts.seed), trials: TRIALS, ...results }));
  else log(`all ${Object.values(results).reduce((n, r) => n + r.trials, 0)} trials passed (seed ${opts.seed})`);
} catch (err) {
  if (!(err instanceof TrialFailure)) throw err;
  console.error(`crash trial failed: ${err.message}`);
  process.exitCode = 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
