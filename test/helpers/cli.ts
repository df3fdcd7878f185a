// Run the real `wpm` command in a child process, as a user would.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WPM = path.join(REPO, 'bin', 'wpm.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Scratch directories made in this test file, removed once it is done (test/setup.ts). */
const scratch: string[] = [];

/** Remember a scratch directory for removal after the test file; returns it. */
export function scratchRemovedAfter(dir: string): string {
  scratch.push(dir);
  return dir;
}

export function takeScratchDirs(): string[] {
  return scratch.splice(0);
}

export function tempDir(prefix: string): string {
  return scratchRemovedAfter(fs.mkdtempSync(path.join(os.tmpdir(), `wpm-${prefix}-`)));
}

/** Run wpm synchronously with a given home and working directory. */
export function wpm(args: string[], opts: { home: string; cwd?: string; input?: string; env?: NodeJS.ProcessEnv }): CliResult {
  const r = spawnSync(process.execPath, [WPM, ...args], {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, WPM_HOME: opts.home, ...opts.env },
    input: opts.input ?? '',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run wpm and wait, without blocking this process (needed when the test itself serves HTTP). */
export function wpmP(args: string[], opts: { home: string; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  return wpmAsync(args, opts).done;
}

/** Run wpm, expect success (naming the command and its stderr otherwise), return trimmed stdout. */
export async function wpmOk(args: string[], opts: { home: string; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  const r = await wpmP(args, opts);
  if (r.status !== 0) throw new Error(`wpm ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Run wpm asynchronously (for concurrent runs and signals). */
export function wpmAsync(args: string[], opts: { home: string; cwd?: string; env?: NodeJS.ProcessEnv }) {
  const child = spawn(process.execPath, [WPM, ...args], {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, WPM_HOME: opts.home, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
  return { child, done };
}

/** Every regular file under a directory, with its bytes, keyed by relative path. */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p, r);
      else if (e.isFile()) out.set(r, fs.readFileSync(p));
    }
  };
  if (fs.statSync(dir).isFile()) out.set('', fs.readFileSync(dir));
  else walk(dir, '');
  return out;
}

/** The files of a home's caches (the evaluation cache among them). */
export function cacheFiles(home: string): fs.Dirent[] {
  return fs.readdirSync(path.join(home, 'cache'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
}
