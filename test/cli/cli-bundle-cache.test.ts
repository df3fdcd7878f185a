// The CLI's own code cache (bin/cached-bundle.js): a run leaves V8's compiled code for its verb
// beside the bundle, later runs start from it, and a cache that does not belong to the bundle
// as it is now (another build of the same length, a damaged or truncated file) is never run.
// Each test works on a private copy of bin/ and dist/bundle/, so the repository's caches and
// the other tests' runs are not involved.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../helpers/cli.js';

const MAGIC = Buffer.from('wpm-v8-code-cache-1\n');
const sha256 = (data: Uint8Array | string) => crypto.createHash('sha256').update(data).digest();

/** A private install: bin/ and dist/bundle/ copied, the rest of dist/ and node_modules linked. */
function install(): { root: string; bundle: string; cacheDir: string } {
  const root = tempDir('cli-cache');
  fs.cpSync(path.join(REPO, 'bin'), path.join(root, 'bin'), { recursive: true });
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(root, 'package.json'));
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  fs.mkdirSync(path.join(root, 'dist'));
  for (const entry of fs.readdirSync(path.join(REPO, 'dist'))) {
    if (entry === 'bundle') continue;
    fs.symlinkSync(path.join(REPO, 'dist', entry), path.join(root, 'dist', entry));
  }
  const bundle = path.join(root, 'dist', 'bundle');
  fs.mkdirSync(bundle);
  for (const f of fs.readdirSync(path.join(REPO, 'dist', 'bundle'))) {
    if (f.endsWith('.cjs') || f.endsWith('.js')) fs.copyFileSync(path.join(REPO, 'dist', 'bundle', f), path.join(bundle, f));
  }
  return { root, bundle, cacheDir: path.join(bundle, 'code-cache') };
}

function run(root: string, args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'wpm.js'), ...args], {
    env: { ...process.env, WPM_HOME: path.join(root, 'home'), ...env },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The files in the cache directory `dir`, by name: temporary ones too, so a leftover shows. */
function caches(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** True if `file` is a cache made for exactly this `source`, its data intact. */
function validFor(file: string, source: Buffer): boolean {
  const bytes = fs.readFileSync(file);
  const head = MAGIC.length + 64;
  const data = bytes.subarray(head);
  return (
    bytes.subarray(0, MAGIC.length).equals(MAGIC) &&
    bytes.subarray(MAGIC.length, MAGIC.length + 32).equals(sha256(source)) &&
    bytes.subarray(MAGIC.length + 32, head).equals(sha256(data)) &&
    data.length > 1000
  );
}

describe('the CLI code cache', () => {
  it('is left by a run for its verb and used, not rewritten, by the next', () => {
    const { root, bundle, cacheDir } = install();
    const version = run(root, ['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version);
    expect(run(root, ['hash', 'file', path.join(root, 'package.json')]).stdout).toMatch(/^sha256:[0-9a-z]{52}\n$/);
    const files = caches(cacheDir);
    expect(files.map((f) => f.split('.').slice(0, 2).join('.'))).toEqual(['main.hash', 'main.none']);
    const source = fs.readFileSync(path.join(bundle, 'main.cjs'));
    for (const f of files) expect(validFor(path.join(cacheDir, f), source)).toBe(true);

    // Used: V8 took it (a refused cache is written again at exit), and the output is the same.
    const file = path.join(cacheDir, files.find((f) => f.startsWith('main.none'))!);
    const before = fs.statSync(file);
    const again = run(root, ['--version']);
    expect(again.stdout).toBe(version.stdout);
    const after = fs.statSync(file);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('is not run for another bundle of the same length, and is made again for it', () => {
    const { root, bundle, cacheDir } = install();
    // `--version` runs the code that sets the description `--help` prints, and leaves the cache.
    expect(run(root, ['--version']).status).toBe(0);
    expect(run(root, ['--help']).stdout).toContain('wpm: a hermetic build system');
    // The same length, other code: V8 checks only the length, so its cached strings would print.
    const main = path.join(bundle, 'main.cjs');
    const edited = fs.readFileSync(main, 'utf8').replace('wpm: a hermetic build system', 'WPM: A HERMETIC BUILD SYSTEM');
    expect(edited.length).toBe(fs.readFileSync(main, 'utf8').length);
    fs.writeFileSync(main, edited);
    const help = run(root, ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('WPM: A HERMETIC BUILD SYSTEM');
    expect(run(root, ['--version']).status).toBe(0);
    const [file] = caches(cacheDir);
    expect(validFor(path.join(cacheDir, file!), Buffer.from(edited))).toBe(true);
  });

  it('is not made by a verb\'s help or by a command that fails', () => {
    const { root, cacheDir } = install();
    expect(run(root, ['hash', '--help']).stdout).toContain('Usage: wpm hash');
    expect(run(root, ['help', 'hash']).stdout).toContain('Usage: wpm hash');
    expect(run(root, ['hash', 'file', path.join(root, 'no-such-file')]).status).not.toBe(0);
    expect(caches(cacheDir)).toEqual([]);
    expect(run(root, ['hash', 'file', path.join(root, 'package.json')]).status).toBe(0);
    expect(caches(cacheDir).map((f) => f.split('.').slice(0, 2).join('.'))).toEqual(['main.hash']);
  });

  it('treats a damaged, truncated or foreign file as a miss and replaces it', () => {
    const { root, bundle, cacheDir } = install();
    const expected = run(root, ['--version']).stdout;
    const [name] = caches(cacheDir);
    const file = path.join(cacheDir, name!);
    const good = fs.readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 100]! ^= 0x40;
    const damaged: [string, Buffer][] = [
      ['a flipped bit in the code', flipped],
      ['half the file', good.subarray(0, good.length >> 1)],
      ['only the header', good.subarray(0, MAGIC.length + 64)],
      ['random bytes', crypto.randomBytes(good.length)],
      ['an empty file', Buffer.alloc(0)],
    ];
    const source = fs.readFileSync(path.join(bundle, 'main.cjs'));
    for (const [what, bytes] of damaged) {
      fs.writeFileSync(file, bytes);
      const r = run(root, ['--version']);
      expect({ what, status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ what, status: 0, stdout: expected, stderr: '' });
      expect({ what, valid: validFor(file, source) }).toEqual({ what, valid: true });
    }
  });

  it('is neither read nor written with WPM_CLI_CACHE=0', () => {
    const { root, cacheDir } = install();
    expect(run(root, ['--version'], { WPM_CLI_CACHE: '0' }).status).toBe(0);
    expect(caches(cacheDir)).toEqual([]);
  });

  it('only goes without a cache where none can be written', () => {
    const { root, cacheDir } = install();
    fs.writeFileSync(cacheDir, 'not a directory');
    const r = run(root, ['--version']);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(fs.readFileSync(cacheDir, 'utf8')).toBe('not a directory');
  });

  it('is made from bundles of ASCII only, with one namespace per Node builtin (scripts/bundle.mjs)', () => {
    for (const name of ['main.cjs', 'launcher.cjs']) {
      const code = fs.readFileSync(path.join(REPO, 'dist', 'bundle', name), 'latin1');
      // One non-ASCII character would make V8 keep the whole source at two bytes a character.
      expect({ name, nonAscii: code.match(/[^\x00-\x7f]/g) ?? [] }).toEqual({ name, nonAscii: [] });
      const namespaces = code.match(/__toESM\(require\("node:[^"]+"\)/g) ?? [];
      const shared = code.match(/\(__wpmBuiltins\["node:[^"]+"\] \?\?= __toESM\(require\("node:[^"]+"\)/g) ?? [];
      expect(namespaces.length).toBeGreaterThan(0);
      expect({ name, unshared: namespaces.length - shared.length }).toEqual({ name, unshared: 0 });
    }
  });

  it('is written whole by concurrent first runs', async () => {
    const { root, bundle, cacheDir } = install();
    const runs = Array.from({ length: 6 }, () => {
      const child = spawn(process.execPath, [path.join(root, 'bin', 'wpm.js'), '--version'], { env: { ...process.env, WPM_HOME: path.join(root, 'home') }, stdio: 'ignore' });
      return new Promise<number | null>((resolve) => child.on('close', resolve));
    });
    expect(await Promise.all(runs)).toEqual([0, 0, 0, 0, 0, 0]);
    const files = caches(cacheDir);
    expect(files).toHaveLength(1);
    expect(validFor(path.join(cacheDir, files[0]!), fs.readFileSync(path.join(bundle, 'main.cjs')))).toBe(true);
  });
});
