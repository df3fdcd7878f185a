#!/usr/bin/env node
// Remote execution on this machine, through a real REAPI server (BuildGrid with wpm's bots,
// test/remote/server.sh), against the same work done locally:
//   1. packages/sqlite built cold locally (-j 2) and through the server (one bot running two
//      actions at once): the ratio is the protocol's overhead (uploads, scheduling, the runner's
//      start and the outputs' download), since both use the same two cores;
//   2. 32 independent clang compiles through the server with one bot, then with two bots
//      (each running one action at a time): the ratio is what a second worker buys.
// Every run uses a new home holding only the toolchains (hard links to a seed home), and new
// actions (nothing is answered from the Action Cache). Needs `npm run build`, PostgreSQL and
// `bash test/remote/server.sh install`.
//   node bench/remote.mjs [--skip-sqlite] [--compiles 32] [--seed HOME]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WPM = path.join(root, 'bin/wpm.js');
const SERVER = path.join(root, 'test/remote/server.sh');
const BOT = path.join(root, 'dist/remote/wpm-bot.mjs');
const STEPS = path.join(root, 'test/fixtures/remote/steps.jsonnet');
const { values: opts } = parseArgs({ options: { 'skip-sqlite': { type: 'boolean', default: false }, compiles: { type: 'string', default: '32' }, seed: { type: 'string' } } });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-remote-'));
fs.chmodSync(work, 0o755); // PostgreSQL runs as its own user and must reach the cluster's directory
const salt = `b${Date.now()}`;

function wpm(home, args) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [WPM, ...args], { env: { ...process.env, WPM_HOME: home }, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`wpm ${args.join(' ')} failed:\n${r.stderr}`);
  return { seconds: (performance.now() - t) / 1000, stdout: r.stdout, stderr: r.stderr };
}

// The toolchains once (not timed; --seed HOME: a home that has them, e.g. the tests' seed home),
// then a hard-linked copy of that home per run.
const seed = path.join(work, 'seed');
if (opts.seed) execFileSync('cp', ['-a', '-l', opts.seed, seed]);
console.error('building the toolchains (not timed)…');
wpm(seed, ['build', '--no-link', '-A', 'warm', path.join(root, 'test/fixtures/seed.jsonnet')]);
let homes = 0;
function freshHome() {
  const home = path.join(work, `home-${++homes}`);
  execFileSync('cp', ['-a', '-l', seed, home]);
  return home;
}

async function freePort() {
  for (;;) {
    const port = await new Promise((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    });
    if (port < 65000) return port;
  }
}

const clusterDir = path.join(work, 'cluster');
fs.mkdirSync(clusterDir);
const url = execFileSync('bash', [SERVER, 'start', clusterDir, String(await freePort())], { encoding: 'utf8' }).trim();
const bots = [];
function startBot(name, capacity) {
  const log = fs.openSync(path.join(clusterDir, `${name}.log`), 'a');
  const child = spawn(process.execPath, [BOT, '--server', url, '--work', path.join(clusterDir, name), '--bot-id', name, '--capacity', String(capacity)], { stdio: ['ignore', log, log], detached: true });
  bots.push(child);
  return child;
}
function stopBots() {
  for (const b of bots.splice(0)) {
    try {
      process.kill(-b.pid, 'SIGKILL');
    } catch {}
  }
}

const pressure = () => fs.readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0];
const rows = [];
const show = (what, v) => {
  rows.push([what, v]);
  console.log(`${what.padEnd(48)} ${what.includes('/') ? `${v.toFixed(2)}×` : `${v.toFixed(1)} s`}`);
};
try {
  if (!opts['skip-sqlite']) {
    const local = wpm(freshHome(), ['build', '--no-link', '-j', '2', 'packages/sqlite']);
    startBot('sqlite', 2);
    const remote = wpm(freshHome(), ['build', '--no-link', '-j', '2', '--remote', url, '--remote-only', '--remote-jobs', '2', 'packages/sqlite']);
    stopBots();
    if (local.stdout !== remote.stdout) throw new Error('local and remote sqlite builds gave different output paths');
    show('sqlite cold build, local -j 2', local.seconds);
    show('sqlite cold build, remote (1 bot, 2 at once)', remote.seconds);
    show('remote / local', remote.seconds / local.seconds);
  }
  const n = opts.compiles;
  // The step tool and each compile's inputs exist in both homes; only the compiles differ by salt.
  startBot('one', 1);
  console.error(`${n} compiles, one worker…`);
  const one = wpm(freshHome(), ['build', '--no-link', '-A', 'compiles', '--remote', url, '--remote-only', '--remote-jobs', n, STEPS, '--argstr', `salt=${salt}-1`, '--argstr', `compiles=${n}`]);
  startBot('two', 1);
  const two = wpm(freshHome(), ['build', '--no-link', '-A', 'compiles', '--remote', url, '--remote-only', '--remote-jobs', n, STEPS, '--argstr', `salt=${salt}-2`, '--argstr', `compiles=${n}`]);
  show(`${n} compiles, 1 worker`, one.seconds);
  show(`${n} compiles, 2 workers`, two.seconds);
  show('1 worker / 2 workers', one.seconds / two.seconds);
} finally {
  stopBots();
  execFileSync('bash', [SERVER, 'stop', clusterDir]);
  fs.rmSync(work, { recursive: true, force: true });
}
console.log(`machine: ${os.availableParallelism()} cores, cpu pressure at the end: ${pressure()}`);
