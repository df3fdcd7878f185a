// The store queries checked against Nix 2.8's own answers on the same closure: a profile
// generation over packages that refer to each other, copied by `wpm copy` into a file:// cache
// that Nix reads. why-depends (`nix why-depends --precise`), closure sizes (`nix path-info -rsS`),
// the tree (`nix-store -q --tree`), referrers (`nix-store -q --referrers` on a Nix store the cache
// was copied into) and what a dry run would fetch (`nix-store -r --dry-run` from the cache).
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, wpm, type CliResult } from '../helpers/cli.js';
import { tinyPackages, type TinyPackages } from '../helpers/tiny-packages.js';
import { NIX_ENV } from '../store/nix-oracle.js';

const execFileP = promisify(execFile);
const NIX = ['--extra-experimental-features', 'nix-command'];

/** What a Nix tool prints on stdout (or, with `stderr`, its messages there, warnings left out). */
async function nix(cmd: string, args: string[], stream: 'stdout' | 'stderr' = 'stdout'): Promise<string> {
  const r = await execFileP(cmd, cmd === 'nix' ? [...NIX, ...args] : args, { env: NIX_ENV, maxBuffer: 64 << 20 }).catch((err: { stderr?: string; message: string }) => {
    throw new Error(`${cmd} ${args.join(' ')}: ${err.stderr ?? err.message}`);
  });
  if (stream === 'stdout') return r.stdout;
  return r.stderr
    .split('\n')
    .filter((l) => !l.startsWith('warning:'))
    .join('\n');
}

/** Nix colours its output even into a pipe. */
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

function ok(r: CliResult): string {
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('store queries, against Nix', () => {
  const home = tempDir('nix-queries');
  const cache = tempDir('nix-queries-cache');
  const keys = tempDir('nix-queries-keys');
  let pkgs: TinyPackages;
  let generation: string;
  let out: Record<string, string>;
  let pub: string;
  const run = (args: string[], h = home) => wpm(args, { home: h });

  beforeAll(async () => {
    // c carries 300 KB of noise and 300 KB of zeros, so that xz makes the download smaller than the NAR.
    const noise = crypto.randomBytes(150_000).toString('hex');
    pkgs = tinyPackages(
      {
        c: { 'share/data.bin': noise, 'share/zeros': '\0'.repeat(300_000), 'share/c.txt': 'leaf' },
        b: { 'lib/conf': 'config uses @c@/share/c.txt here\n' },
        a: { 'bin/a.wasm': 'program a', 'bin/run': '#!/bin/sh\nexec @b@/lib/conf "$@"\n', 'share/a/refs': `${'x'.repeat(100)}@b@` },
        d: { 'etc/d/a': '@a@\n', 'etc/d/c': '@c@\n', 'etc/d/link': '->../../share/c.txt' },
        e: { 'share/e/uses': 'needs @c@\n' },
      },
      { b: ['c'], a: ['b'], d: ['a', 'c'], e: ['c'] },
      home,
    );
    ok(run(['install', pkgs.file, '-A', 'a', '-A', 'd']));
    generation = (JSON.parse(ok(run(['generations', '--json']))) as { path: string }[])[0]!.path;
    out = {};
    for (const n of ['a', 'b', 'c', 'd', 'e']) out[n] = JSON.parse(ok(run(['eval', '--json', '-A', `${n}.out`, pkgs.file]))) as string;
    pub = ok(run(['key', 'generate', 'queries-test-1', '--dir', keys])).trim();
    ok(run(['store', 'sign', '-r', '--key', path.join(keys, 'queries-test-1.sec'), generation]));
    ok(run(['copy', '--to', `file://${cache}`, '--compression', 'xz', generation]));
  });

  it('why-depends shows the chain and the file of each reference, as nix why-depends --precise', async () => {
    for (const [from, to] of [
      [generation, out.c!],
      [generation, out.b!],
      [out.d!, out.c!],
      [out.a!, out.c!],
    ] as const) {
      const ours = ok(run(['why-depends', from, to]));
      const theirs = plain(await nix('nix', ['why-depends', '--precise', '--store', `file://${cache}`, from, to]));
      expect(ours).toBe(theirs);
      const oursAll = ok(run(['why-depends', '--all', from, to]));
      expect(oursAll).toBe(plain(await nix('nix', ['why-depends', '--precise', '--all', '--store', `file://${cache}`, from, to])));
    }
    // The chain names the generation's link into the package, and the file inside it.
    const chain = ok(run(['why-depends', generation, out.b!]));
    expect(chain).toMatch(/^└───bin\/a\.wasm -> \.\.\/\.\.\/[0-9a-z]{32}-a\/bin\/a\.wasm$/m);
    expect(chain).toMatch(/^ {4}└───bin\/run: …#!\/bin\/sh\.exec \/wpm\/store\/[0-9a-z]{32}-b\/lib\/conf "\$@"\.…$/m);
    expect(ok(run(['why-depends', out.b!, out.c!]))).toMatch(/lib\/conf: …config uses \/wpm\/store\/[0-9a-z]{32}-c\/share\/c\.txt here\.…/);
    const not = run(['why-depends', out.c!, out.a!]);
    expect(not.status).toBe(4);
    expect(not.stderr).toMatch(/does not depend on/);
  });

  it('path-info -r -s -S gives the closure, NAR and closure sizes as nix path-info -rsS', async () => {
    expect(ok(run(['store', 'path-info', '-r', '-s', '-S', generation]))).toBe(await nix('nix', ['path-info', '--store', `file://${cache}`, '-rsS', generation]));
    expect(ok(run(['store', 'path-info', '-S', generation, out.b!]))).toBe(await nix('nix', ['path-info', '--store', `file://${cache}`, '-S', generation, out.b!]));
    expect(ok(run(['store', 'path-info', '-rsS', '--human-readable', out.d!]))).toBe(await nix('nix', ['path-info', '--store', `file://${cache}`, '-rsSh', out.d!]));
    const json = JSON.parse(ok(run(['store', 'path-info', '--json', '-S', generation]))) as { closureSize: number }[];
    const theirs = JSON.parse(await nix('nix', ['path-info', '--store', `file://${cache}`, '--json', '-S', generation])) as { closureSize: number }[];
    expect(json[0]!.closureSize).toBe(theirs[0]!.closureSize);
  });

  it('path-info --tree draws the closure as nix-store -q --tree', async () => {
    const ours = ok(run(['store', 'path-info', '--tree', generation]));
    expect(ours).toBe(await nix('nix-store', ['--store', `file://${cache}`, '-q', '--tree', generation]));
    expect(ours).toContain(' [...]'); // c is reached twice
  });

  it('store referrers answers as nix-store -q --referrers and --referrers-closure', async () => {
    const root = tempDir('nix-queries-local');
    const local = `local?root=${root}`;
    await nix('nix', ['copy', '--from', `file://${cache}`, '--to', local, '--option', 'trusted-public-keys', pub, generation]);
    // The same closure: wpm's store also holds the generation's .drv, which Nix's copy has not.
    const lines = (s: string) => s.trim().split('\n').filter((l) => !l.endsWith('.drv')).sort();
    expect(lines(ok(run(['store', 'referrers', out.c!])))).toEqual(lines(await nix('nix-store', ['--store', local, '-q', '--referrers', out.c!])));
    const closure = lines(ok(run(['store', 'referrers', '-r', out.c!])));
    expect(closure).toEqual(lines(await nix('nix-store', ['--store', local, '-q', '--referrers-closure', out.c!])));
    expect(closure).toEqual([generation, out.a!, out.b!, out.c!, out.d!].sort());
  });

  it('build --dry-run lists what it would fetch, with sizes, as nix-store -r --dry-run, and what it would build', async () => {
    const empty = tempDir('nix-queries-empty');
    const r = run(['build', '--dry-run', pkgs.file, '-A', 'd', '-A', 'e', '--substituters', `file://${cache}`, '--trusted-public-keys', pub], empty);
    const ours = ok(r).trim().split('\n');
    // e is in no cache: built; d and its closure: fetched.
    expect(ours[0]).toBe('this derivation will be built:');
    expect(ours[1]).toMatch(/^ {2}\/wpm\/store\/[0-9a-z]{32}-e\.drv$/);
    const root = tempDir('nix-queries-dry');
    const theirs = (
      await nix('nix-store', ['--store', `local?root=${root}`, '-r', '--dry-run', out.d!, '--option', 'substituters', `file://${cache}`, '--option', 'trusted-public-keys', pub], 'stderr')
    )
      .trim()
      .split('\n');
    expect(ours.slice(2)).toEqual(theirs);
    expect(theirs[0]).toMatch(/^these 4 paths will be fetched \(0\.[0-9]{2} MiB download, 0\.[0-9]{2} MiB unpacked\):$/);
    const json = JSON.parse(ok(run(['build', '--dry-run', '--json', pkgs.file, '-A', 'd', '--substituters', `file://${cache}`, '--trusted-public-keys', pub], empty))) as { downloadBytes: number; unpackedBytes: number; toBuild: string[] };
    expect(json.toBuild).toEqual([]);
    expect(json.downloadBytes).toBeLessThan(json.unpackedBytes);
    // Nothing was fetched or built.
    expect(fs.readdirSync(path.join(empty, 'db')).filter((f) => !/\.drv\.json$/.test(f) && !f.startsWith('.')).length).toBeLessThan(20);
  });
});
