// Runs the real Nix tools (Debian package nix-bin) as the test oracle. They need no daemon: the
// `dummy://` store computes paths without touching any database, and NIX_STORE_DIR makes Nix
// hash with wpm's logical store directory. State and log dirs point at a temp dir so the tools
// never write to /nix, whoever runs the tests.

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

// One fixed directory per user, shared by all test files: the dummy store writes nothing there,
// so there is nothing to clean up and no directory per run piles up.
const scratch = join(tmpdir(), `wpm-nix-oracle-${userInfo().uid}`);
mkdirSync(scratch, { recursive: true });

export const NIX_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  NIX_STORE_DIR: '/wpm/store',
  NIX_STATE_DIR: join(scratch, 'state'),
  NIX_LOG_DIR: join(scratch, 'log'),
  NIX_CONF_DIR: join(scratch, 'conf'),
  NIX_REMOTE: 'dummy://',
  HOME: scratch,
};

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { env: NIX_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** `nix-store --dump PATH`, whole in memory: only for small trees. */
export function nixDump(path: string): Buffer {
  return execFileSync('nix-store', ['--dump', path], { env: NIX_ENV, maxBuffer: 1 << 30 });
}

/** sha256 of `nix-store --dump PATH` and its size, streamed so big trees do not fill memory. */
export function nixDumpDigest(path: string): Promise<{ sha256Hex: string; size: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('nix-store', ['--dump', path], { env: NIX_ENV, stdio: ['ignore', 'pipe', 'inherit'] });
    const h = createHash('sha256');
    let size = 0;
    child.stdout.on('data', (c: Buffer) => {
      h.update(c);
      size += c.length;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`nix-store --dump exited with ${code}`));
      else resolve({ sha256Hex: h.digest('hex'), size });
    });
  });
}

/** `nix-hash --type sha256 --base32 PATH`: the NAR hash in nix32, without the algorithm. */
export function nixHashPath(path: string): string {
  return run('nix-hash', ['--type', 'sha256', '--base32', path]);
}

/** `nix-hash --flat --type ALGO --base32 PATH`. */
export function nixHashFile(path: string, algo = 'sha256'): string {
  return run('nix-hash', ['--flat', '--type', algo, '--base32', path]);
}

/** `nix-store --print-fixed-path [--recursive] ALGO HASH NAME` under /wpm/store. */
export function nixFixedPath(recursive: boolean, algo: string, hash: string, name: string): string {
  return run('nix-store', ['--print-fixed-path', ...(recursive ? ['--recursive'] : []), algo, hash, name]);
}

/** Evaluates a Nix expression in read-only mode (paths are computed, nothing is written). */
export function nixEval(expr: string): unknown {
  return JSON.parse(run('nix-instantiate', ['--readonly-mode', '--eval', '--strict', '--json', '-E', expr]));
}

/** `nix hash to-<form> --type ALGO HASH`: Nix's own conversion between hash encodings. */
export function nixHashConvert(form: 'base16' | 'base32' | 'base64' | 'sri', algo: string, hash: string): string {
  return run('nix', ['--extra-experimental-features', 'nix-command', 'hash', `to-${form}`, '--type', algo, hash]);
}
