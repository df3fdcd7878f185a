// Shared by the store benchmarks: a generated closure in a wpm store, signed, and helpers to run
// wpm and Nix (Debian's nix-bin, daemonless, with /wpm/store as its store directory) and time
// them by wall clock and by the CPU time of the process tree (GNU time's user + system).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../dist/store/index.js';
import { WPM } from './wpm-command.mjs';

export const MB = 1e6;
export { WPM } from './wpm-command.mjs';

/** Nix's tools see /wpm/store, keep their state under `dir`, and write nothing under /nix. */
export function nixEnv(dir) {
  mkdirSync(dir, { recursive: true });
  return {
    ...process.env,
    NIX_STORE_DIR: '/wpm/store',
    NIX_STATE_DIR: join(dir, 'state'),
    NIX_LOG_DIR: join(dir, 'log'),
    NIX_CONF_DIR: join(dir, 'conf'),
    HOME: dir,
  };
}

/**
 * Runs a command; throws with its stderr if it fails. Returns { wall, cpu } in seconds and stdout.
 * Everything dirty in the page cache is written back first (`sync`, untimed), so that a durable
 * contender flushes only its own writes, not those of the contender before it.
 */
export function timed(cmd, args, opts = {}) {
  spawnSync('sync');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', cmd, ...args], { encoding: 'utf8', maxBuffer: 256 << 20, ...opts });
  const lines = r.stderr.trimEnd().split('\n');
  const last = lines.pop() ?? '';
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 4).join(' ')}… exited ${r.status}: ${lines.join('\n')}`);
  const [wall, user, sys] = last.split(' ').map(Number);
  return { wall, cpu: user + sys, stdout: r.stdout, stderr: lines.join('\n') };
}

/**
 * `timed`, for a peer made as durable as wpm: `sync -f` on the file system of `dir` (where it
 * wrote) runs right after it, in the time counted.
 */
export function timedThenSync(dir, cmd, args, opts = {}) {
  return timed('sh', ['-c', '"$@" && sync -f "$0"', dir, cmd, ...args], opts);
}

export function wpm(args, home, opts = {}) {
  const r = spawnSync(process.execPath, [WPM, ...args], { env: { ...process.env, WPM_HOME: home }, encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) throw new Error(`wpm ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * A closure of `paths` directories (one big file of 4/5 of each path's share of `mb`, and
 * `smallFiles` small ones, all random bytes) plus one text path referring to all of them, added to
 * the wpm store at `home` and signed with a fresh key. Returns the root, the public key, the key
 * directory and the NAR bytes in all.
 */
export async function makeClosure(work, home, { mb, paths, smallFiles = 100 }) {
  const perPath = (mb * MB) / paths;
  const block = randomBytes(4 << 20);
  const dirs = [];
  for (let p = 0; p < paths; p++) {
    const dir = join(work, 'src', `pkg-${p}`);
    mkdirSync(join(dir, 'lib'), { recursive: true });
    const fill = (size, stamp) => {
      const b = Buffer.allocUnsafe(size);
      const from = (stamp * 4099) % 4096;
      for (let o = 0; o < size; o += block.length - from) block.copy(b, o, from, Math.min(block.length, from + size - o));
      b.writeUInt32LE(stamp, 0);
      return b;
    };
    writeFileSync(join(dir, 'lib', 'big.bin'), fill(Math.floor(perPath * 0.8), p * 1000));
    for (let i = 0; i < smallFiles; i++) writeFileSync(join(dir, `f${i}.txt`), fill(Math.floor((perPath * 0.2) / smallFiles), p * 1000 + i + 1));
    dirs.push(dir);
  }
  const added = wpm(['store', 'add', ...dirs], home).split('\n');
  const store = LocalStore.open(home);
  const root = await store.addText('closure-root', added.join('\n') + '\n', added);
  const keyDir = join(work, 'keys');
  const pub = wpm(['key', 'generate', 'bench-1', '--dir', keyDir], home);
  wpm(['store', 'sign', '-r', '--key', join(keyDir, 'bench-1.sec'), root], home);
  const infos = store.closure([root]).map((p) => store.requirePathInfo(p));
  return { root, pub, keyDir, infos, bytes: infos.reduce((n, i) => n + i.narSize, 0) };
}

export function scratch(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}
