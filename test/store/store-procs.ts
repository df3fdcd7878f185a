// Helpers for tests that drive the store from separate processes (workers/store-worker.mjs runs the
// compiled store in dist/, so `npx tsc -p tsconfig.json` must have run, as `npm test` does).
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashBytes, makeOutputPath } from '../../store/index.js';
import { expect } from 'vitest';
import { REPO, scratchRemovedAfter, tempDir, wpm } from '../helpers/cli.js';
import { prng } from './trees.js';

export const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'workers', 'store-worker.mjs');

export function requireDist(): void {
  if (!fs.existsSync(path.join(REPO, 'dist', 'store', 'index.js'))) {
    throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` before these tests');
  }
}

/**
 * A scratch directory in memory where there is one (/dev/shm on Linux), else in the temp dir.
 * SIGKILL leaves the same states on any file system (the kernel keeps what was written), so the
 * crash and concurrency tests need no disk, and tmpfs keeps dozens of runs fast on a busy machine.
 */
export function scratchDir(prefix: string): string {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return scratchRemovedAfter(fs.mkdtempSync(path.join('/dev/shm', `wpm-${prefix}-`)));
  } catch {
    return tempDir(prefix);
  }
}

export interface WorkerResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runWorker(cmd: string, home: string, args: string[], env: NodeJS.ProcessEnv = {}): WorkerResult {
  const r = spawnSync(process.execPath, [WORKER, cmd, home, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export function startWorker(cmd: string, home: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [WORKER, cmd, home, ...args], { env: { ...process.env, ...env } }) as ChildProcessWithoutNullStreams;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<WorkerResult>((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })),
  );
  /** Resolves once the worker printed `line` (e.g. `ready`). */
  const printed = (line: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (stdout.split('\n').includes(line)) resolve();
      };
      child.stdout.on('data', check);
      check();
      child.on('close', () => reject(new Error(`worker exited before printing '${line}': ${stderr}`)));
    });
  return { child, done, printed, output: () => stdout };
}

/** The store path the worker's `register <src> <name>` registers. */
export function outputPathFor(name: string): string {
  return makeOutputPath(hashBytes('sha256', `drv:${name}`), 'out', name);
}

/** A deterministic tree of `files` small files spread over nested directories. */
export function makeTree(root: string, files: number, seed = 1): void {
  const rand = prng(seed);
  fs.mkdirSync(root, { recursive: true });
  const dirs = [root];
  for (let i = 0; i < files; i++) {
    if (i % 25 === 0) {
      const d = path.join(dirs[(rand() * dirs.length) | 0]!, `d${i}`);
      fs.mkdirSync(d);
      dirs.push(d);
    }
    const f = path.join(dirs[(rand() * dirs.length) | 0]!, `f${i}${rand() < 0.2 ? '.sh' : ''}`);
    fs.writeFileSync(f, Buffer.alloc((rand() * 2048) | 0, i % 251));
    if (f.endsWith('.sh')) fs.chmodSync(f, 0o755);
  }
}

/** Lines of a worker's stdout that start with `word`, split into fields. */
export function lines(stdout: string, word: string): string[][] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith(word + ' '))
    .map((l) => l.split(' ').slice(1));
}

/** Info files present, by store path (read without touching temp roots). */
export function validPaths(home: string): Set<string> {
  const out = new Set<string>();
  for (const f of fs.readdirSync(path.join(home, 'db'))) {
    if (!f.endsWith('.json')) continue;
    out.add((JSON.parse(fs.readFileSync(path.join(home, 'db', f), 'utf8')) as { path: string }).path);
  }
  return out;
}

/** `wpm store verify` finds `paths` valid paths, no problem and no garbage; no temporary file, lock or root is left. */
export function checkClean(home: string, paths: number): void {
  const v = wpm(['store', 'verify', '--json'], { home });
  expect(v.status).toBe(0);
  const report = JSON.parse(v.stdout) as { checked: number; problems: unknown[]; garbage: unknown[] };
  expect(report).toMatchObject({ checked: paths, problems: [], garbage: [] });
  for (const dir of ['tmp', 'locks', 'temproots']) expect(fs.readdirSync(path.join(home, dir)), dir).toEqual([]);
}
