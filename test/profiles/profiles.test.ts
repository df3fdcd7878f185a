// Profiles without a compiler: packages made of files (test/helpers/tiny-packages.ts), installed,
// removed, switched between, with collisions refused and settled by priority, generations listed
// and deleted, named profiles and profiles at a path, and --dry-run changing nothing.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, wpm, type CliResult } from '../helpers/cli.js';
import { tinyPackages } from '../helpers/tiny-packages.js';

const PKGS = {
  a: { 'bin/a.wasm': 'not really wasm a', 'share/doc/a/README': 'about a', 'share/common/same.txt': 'same bytes', 'share/clash.txt': 'from a' },
  b: { 'bin/b.wasm': 'not really wasm b', 'share/common/same.txt': 'same bytes', 'share/clash.txt': 'from b' },
  c: { 'share/doc/c/README': 'about c', 'lib/c.txt': 'c' },
  evil: { 'share/wpm/manifest.json': '{}' },
  shadow: { 'bin/c.wasm': 'a program', 'bin/c': 'a file of the same name as its launcher' },
};

function ok(r: CliResult): string {
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

interface Gen {
  number: number;
  path: string;
  current: boolean;
}

describe('profiles', () => {
  const home = tempDir('profiles');
  const pkgs = tinyPackages(PKGS, {}, home);
  const run = (args: string[], cwd?: string) => wpm(args, { home, ...(cwd ? { cwd } : {}) });
  const gens = (profile = 'default'): Gen[] => JSON.parse(ok(run(['generations', '--json', '--profile', profile]))) as Gen[];
  const listed = (profile = 'default') => (JSON.parse(ok(run(['list', '--json', '--profile', profile]))) as { name: string }[]).map((p) => p.name);
  const profileDir = (name = 'default') => path.join(home, 'profiles', name);

  it('installs packages as one merged tree of relative links, with a manifest and a launcher per program', () => {
    const r = run(['install', pkgs.file, '-A', 'a', '-A', 'c']);
    ok(r);
    expect(r.stderr).toMatch(/installing a \(\/wpm\/store\/[0-9a-z]{32}-a\)/);
    expect(r.stderr).toContain('eval "$(wpm env)"'); // told once, the first time
    expect(listed()).toEqual(['a', 'c']);
    const root = profileDir();
    expect(fs.readlinkSync(path.join(root, 'bin', 'a.wasm'))).toMatch(/^\.\.\/\.\.\/[0-9a-z]{32}-a\/bin\/a\.wasm$/);
    expect(fs.readFileSync(path.join(root, 'bin', 'a.wasm'), 'utf8')).toBe('not really wasm a');
    // share/doc is provided by both: made, and merged below; lib only by c: one link.
    expect(fs.lstatSync(path.join(root, 'share', 'doc')).isDirectory()).toBe(true);
    expect(fs.readFileSync(path.join(root, 'share', 'doc', 'c', 'README'), 'utf8')).toBe('about c');
    expect(fs.lstatSync(path.join(root, 'lib')).isSymbolicLink()).toBe(true);
    const launcher = fs.readFileSync(path.join(root, 'bin', 'a'), 'utf8');
    expect(launcher).toMatch(/^#!\/bin\/sh\n/);
    expect(launcher).not.toMatch(/\/wpm\/store|\/tmp|\/home/); // no store path, no host path
    expect(fs.statSync(path.join(root, 'bin', 'a')).mode & 0o111).not.toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(root, 'share', 'wpm', 'launchers', 'a.json'), 'utf8')) as { program: string; cwd: string };
    expect(config.program).toMatch(/^\/wpm\/store\/[0-9a-z]{32}-a\/bin\/a\.wasm$/);
    expect(config.cwd).toBe('rw');
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'share', 'wpm', 'manifest.json'), 'utf8')) as { packages: { name: string; file: string; attr: string; priority: number }[] };
    expect(manifest.packages.map((p) => [p.name, p.file, p.attr, p.priority])).toEqual([
      ['a', pkgs.file, 'a', 5],
      ['c', pkgs.file, 'c', 5],
    ]);
    // The generation refers to the packages (found by scanning its links), so it keeps them.
    const gen = gens()[0]!;
    expect(ok(run(['store', 'path-info', '--json', gen.path])).match(/-a"|-c"/g)?.length).toBe(2);
    expect(ok(run(['profile', 'path']))).toBe(path.join(profileDir(), 'bin') + '\n');
  });

  it('refuses two packages providing the same file at one priority, naming both, and changes nothing', () => {
    const before = gens();
    const r = run(['install', pkgs.file, '-A', 'b']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/packages '(a|b)' \(\/wpm\/store\/[0-9a-z]{32}-\1\) and '(a|b)' \(\/wpm\/store\/[0-9a-z]{32}-\2\) both provide share\/clash\.txt/);
    expect(r.stderr).toMatch(/--priority/);
    expect(gens()).toEqual(before);
    expect(r.stderr).not.toContain('eval "$(wpm env)"');
  });

  it('lets the lower priority number win a collision; identical files are no collision', () => {
    ok(run(['install', pkgs.file, '-A', 'b', '--priority', '3']));
    const root = profileDir();
    expect(fs.readFileSync(path.join(root, 'share', 'clash.txt'), 'utf8')).toBe('from b');
    expect(fs.readFileSync(path.join(root, 'share', 'common', 'same.txt'), 'utf8')).toBe('same bytes');
    expect(listed()).toEqual(['a', 'b', 'c']);
    ok(run(['install', pkgs.file, '-A', 'a', '--priority', '1']));
    expect(fs.readFileSync(path.join(root, 'share', 'clash.txt'), 'utf8')).toBe('from a');
  });

  it("refuses a package that provides the profile's own files, or a file where a launcher goes", () => {
    const evil = run(['install', pkgs.file, '-A', 'evil']);
    expect(evil.status).toBe(4);
    expect(evil.stderr).toMatch(/cannot install 'evil': it provides share\/wpm/);
    const shadow = run(['install', pkgs.file, '-A', 'shadow']);
    expect(shadow.status).toBe(1);
    expect(shadow.stderr).toMatch(/bin\/c of 'shadow' collides with the launcher of bin\/c\.wasm of 'shadow'/);
  });

  it('removes, rolls back and switches generations; --dry-run changes nothing', () => {
    const before = gens();
    const current = before.find((g) => g.current)!;
    const dry = run(['remove', 'c', '--dry-run']);
    ok(dry);
    expect(dry.stderr).toMatch(/would remove c/);
    expect(gens()).toEqual(before);
    ok(run(['remove', 'c']));
    expect(listed()).toEqual(['a', 'b']);
    expect(fs.existsSync(path.join(profileDir(), 'lib'))).toBe(false);
    expect(run(['remove', 'nope']).stderr).toMatch(/'nope' is not installed in profile default\nhint: installed: a, b/);
    ok(run(['rollback', '--dry-run']));
    expect(gens().find((g) => g.current)!.number).toBe(current.number + 1);
    ok(run(['rollback']));
    expect(gens().find((g) => g.current)!.number).toBe(current.number);
    expect(listed()).toEqual(['a', 'b', 'c']);
    ok(run(['switch-generation', '1']));
    expect(listed()).toEqual(['a', 'c']);
    expect(run(['switch-generation', '99']).stderr).toMatch(/profile default has no generation 99/);
    expect(run(['rollback']).stderr).toMatch(/generation 1 is the oldest of profile default/);
  });

  it('deletes generations but never the current one, and by age', () => {
    const all = gens();
    const current = all.find((g) => g.current)!;
    const refused = run(['generations', 'delete', String(current.number)]);
    expect(refused.status).toBe(4);
    expect(refused.stderr).toMatch(/generation 1 is the current generation of profile default/);
    // Age: the generation links' own times. Make two of them a month old.
    const links = path.join(home, 'gcroots', 'profiles');
    const month = Date.now() / 1000 - 31 * 86400;
    for (const n of [1, 2]) fs.lutimesSync(path.join(links, `default-${n}-link`), month, month);
    const dry = run(['generations', 'delete', '--older-than', '30d', '--dry-run']);
    ok(dry);
    expect(dry.stdout.trim().split('\n').map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([2]); // 1 is current
    expect(gens()).toHaveLength(all.length);
    ok(run(['generations', 'delete', '--older-than', '30d']));
    expect(gens().map((g) => g.number)).toEqual(all.map((g) => g.number).filter((n) => n !== 2));
    ok(run(['generations', 'delete', String(all[all.length - 1]!.number)]));
    expect(gens().map((g) => g.number)).not.toContain(all[all.length - 1]!.number);
  });

  it('keeps named profiles and profiles at a path apart, each generation a GC root', () => {
    ok(run(['install', '--profile', 'tools', pkgs.file, '-A', 'c']));
    expect(listed('tools')).toEqual(['c']);
    expect(fs.readlinkSync(profileDir('tools'))).toBe('../gcroots/profiles/tools-1-link');
    const where = path.join(tempDir('profile-path'), 'my-profile');
    ok(run(['install', '--profile', where, pkgs.file, '-A', 'b']));
    expect(listed(where)).toEqual(['b']);
    expect(fs.readFileSync(path.join(where, 'bin', 'b.wasm'), 'utf8')).toBe('not really wasm b');
    expect(ok(run(['profile', 'path', '--profile', where]))).toBe(path.join(where, 'bin') + '\n');
    const roots = ok(run(['store', 'roots']));
    expect(roots).toMatch(/gcroots\/profiles\/tools-1-link -> \/wpm\/store\/[0-9a-z]{32}-profile/);
    expect(roots).toMatch(/gcroots\/profiles\/@[0-9a-f]{12}-my-profile-1-link -> \/wpm\/store\/[0-9a-z]{32}-profile/);
    expect(run(['list', '--profile', 'no/such/dir/../x']).status).toBe(0);
    expect(run(['list', '--profile', 'bad name']).stderr).toMatch(/'bad name' is not a profile name/);
  });

  it('prints the PATH for launchers, with a wpm link to this installation', () => {
    const env = ok(run(['env']));
    expect(env).toContain(`export PATH='${path.join(profileDir(), 'bin')}':'${path.join(home, 'bin')}':"$PATH"`);
    expect(fs.realpathSync(path.join(home, 'bin', 'wpm'))).toBe(fs.realpathSync(path.join(__dirname, '..', '..', 'bin', 'wpm.js')));
  });

  it('refuses to run as a launcher what is not one', () => {
    const r = run(['run', '--launcher', pkgs.file, '--']);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/is not a launcher of a wpm profile/);
  });
});
