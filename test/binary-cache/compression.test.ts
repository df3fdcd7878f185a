// The compressions caches use most, xz and zstd, both ways and against Nix 2.8 (which reads and
// writes both): NARs wpm compresses are read by Nix, NARs Nix compresses are substituted by wpm,
// and `wpm serve --compression` serves what both substitute. Each path's bytes are checked:
// Nix's `store verify` re-hashes what it downloads, wpm's substitution refuses a NAR that does
// not match its NarHash, and `wpm store verify` re-hashes the result.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalStore } from '../../store/index.js';
import { tempDir, wpmOk, wpmP } from '../helpers/cli.js';
import { NIX_ENV } from '../store/nix-oracle.js';
import { pathInfo, serve, signIntoFileCache } from './helpers.js';

const run = promisify(execFile);

async function nix(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('nix', ['--extra-experimental-features', 'nix-command', ...args], { env: NIX_ENV, maxBuffer: 16 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const homeA = tempDir('compress-a');
let root: string;
let dir: string;
let pub: string;
let plainCache: string;

beforeAll(async () => {
  // A closure of two paths: a tree (executable, symlink, a file that compresses, one that does not)
  // and a text that refers to it.
  const src = path.join(tempDir('compress-src'), 'tree');
  fs.mkdirSync(path.join(src, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(src, 'bin', 'run'), '#!/bin/sh\necho compressed\n', { mode: 0o755 });
  fs.writeFileSync(path.join(src, 'words.txt'), 'the same words again and again\n'.repeat(20_000));
  fs.writeFileSync(path.join(src, 'noise.bin'), Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 2654435761) >>> 24)));
  fs.symlinkSync('bin/run', path.join(src, 'link'));
  dir = await wpmOk(['store', 'add', src], { home: homeA });
  root = await LocalStore.open(homeA).addText('compress-root', `${dir}\n`, [dir]);
  ({ pub, cache: plainCache } = await signIntoFileCache(homeA, root, 'compress-test-1'));
}, 60_000);

function narinfoOf(cache: string, storePath: string): string {
  return fs.readFileSync(path.join(cache, `${path.basename(storePath).slice(0, 32)}.narinfo`), 'utf8');
}

/** Substitutes the closure into a fresh home, and checks what landed there against home A. */
async function substituteFrom(url: string): Promise<string> {
  const home = tempDir('compress-b');
  const r = await wpmP(['copy', '--from', url, '--trusted-public-keys', pub, root], { home });
  expect(r.status, r.stderr).toBe(0);
  for (const p of [dir, root]) expect(pathInfo(home, p)!.narHash).toBe(pathInfo(homeA, p)!.narHash);
  const v = await wpmP(['store', 'verify'], { home });
  expect(v.status, v.stdout + v.stderr).toBe(0);
  return home;
}

describe.each([
  ['xz', '.nar.xz'],
  ['zstd', '.nar.zst'],
])('%s NARs', (compression, suffix) => {
  it('written by wpm copy --to are read and verified by Nix', async () => {
    const cache = tempDir(`compress-wpm-${compression}`);
    await wpmOk(['copy', '--to', `file://${cache}`, '--compression', compression, root], { home: homeA });
    for (const p of [dir, root]) {
      const ni = narinfoOf(cache, p);
      expect(ni).toContain(`Compression: ${compression}\n`);
      expect(/^URL: (.*)$/m.exec(ni)![1]).toMatch(new RegExp(`^nar/[0-9a-z]{52}\\${suffix}$`));
    }
    const verify = await nix(['store', 'verify', '--store', `file://${cache}`, '-r', '--trusted-public-keys', pub, root]);
    expect(verify.code, verify.stderr).toBe(0);
    const into = tempDir(`compress-nix-${compression}`);
    const copy = await nix(['copy', '--from', `file://${cache}`, '--store', `local?root=${into}`, '--option', 'trusted-public-keys', pub, root]);
    expect(copy.code, copy.stderr).toBe(0);
    // And wpm substitutes its own.
    await substituteFrom(`file://${cache}`);
  });

  it('written by Nix are substituted by wpm', async () => {
    const cache = tempDir(`compress-nixw-${compression}`);
    const r = await nix(['copy', '--from', `file://${plainCache}`, '--to', `file://${cache}?compression=${compression}`, '--option', 'trusted-public-keys', pub, root]);
    expect(r.code, r.stderr).toBe(0);
    expect(narinfoOf(cache, dir)).toContain(`Compression: ${compression}\n`);
    await substituteFrom(`file://${cache}`);
  });

  it('served by wpm serve --compression are substituted by wpm and read by Nix', async () => {
    const served = await serve(homeA, ['--compression', compression]);
    try {
      const ni = await (await fetch(`${served.url}/${path.basename(root).slice(0, 32)}.narinfo`)).text();
      expect(ni).toContain(`Compression: ${compression}\n`);
      await substituteFrom(served.url);
      const verify = await nix(['store', 'verify', '--store', served.url, '-r', '--trusted-public-keys', pub, root]);
      expect(verify.code, verify.stderr).toBe(0);
    } finally {
      await served.stop();
    }
  });
});
