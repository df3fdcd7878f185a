// Mistakes on the command line get one clear line and exit 2, before any work and without
// touching what is already there (each case here was found by a new user's trial).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, tempDir, wpm } from '../helpers/cli.js';

const HELLO = path.join(REPO, 'packages/hello');

describe('command-line mistakes', () => {
  it('a malformed --arg or --argstr says what is wrong', () => {
    const home = tempDir('usage-arg');
    for (const [flag, value] of [['--arg', 'x'], ['--arg', '=3'], ['--argstr', 'spin']]) {
      const r = wpm(['eval', HELLO, flag!, value!], { home });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`error: ${flag} expects NAME=VALUE, got '${value}'\n`);
    }
  });

  it('a result link that cannot be made is refused before building, and nothing of the user is replaced', () => {
    const home = tempDir('usage-link');
    const dir = tempDir('usage-link-cwd');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine\n');
    fs.mkdirSync(path.join(dir, 'adir'));
    const cases: [string, RegExp][] = [
      ['notes.txt', /notes\.txt exists and is not a symbolic link: not replacing it with the result link\n/],
      ['adir', /adir exists and is not a symbolic link/],
      ['no/such/dir/link', /cannot make the result link .*no\/such\/dir\/link: .*no\/such\/dir is not a directory\n/],
      ['notes.txt/link', /cannot make the result link .*notes\.txt\/link: .*notes\.txt is not a directory\n/],
    ];
    for (const [out, message] of cases) {
      const r = wpm(['build', HELLO, '-o', out], { home, cwd: dir });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/building|internal error/);
    }
    // result-crc32 (the second -A's link) is checked before building as well, and result-hello is not made either.
    fs.writeFileSync(path.join(dir, 'result-crc32'), 'mine too\n');
    const two = wpm(['build', path.join(REPO, 'packages/default.jsonnet'), '-A', 'hello', '-A', 'crc32'], { home, cwd: dir });
    expect(two.status, two.stderr).toBe(2);
    expect(two.stderr).toMatch(/result-crc32 exists and is not a symbolic link/);
    expect(two.stderr).not.toMatch(/building|internal error/);
    expect(fs.readFileSync(path.join(dir, 'result-crc32'), 'utf8')).toBe('mine too\n');
    fs.rmSync(path.join(dir, 'result-crc32'));
    expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(fs.readdirSync(dir).sort()).toEqual(['adir', 'notes.txt']);
    expect(fs.readdirSync(path.join(dir, 'adir'))).toEqual([]);
  });

  it('wpm store add of a missing file names it', () => {
    const home = tempDir('usage-add');
    const r = wpm(['store', 'add', 'nothere'], { home });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('error: nothere: no such file or directory\n');
  });

  it("--version is wpm's own, whatever npm script runs it", () => {
    const home = tempDir('usage-version');
    const { version } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    const r = wpm(['--version'], { home, env: { npm_package_version: '9.9.9' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  });

  it('wpm key generate refuses names that cannot be trusted later, and says which files it wrote', () => {
    const home = tempDir('usage-key');
    const dir = tempDir('usage-key-cwd');
    for (const name of ['/nonexist/k', 'bad name', 'a,b', 'a:b', '..', '_x']) {
      const r = wpm(['key', 'generate', name], { home, cwd: dir });
      expect(r.status, name).toBe(2);
      expect(r.stderr).toContain(`invalid key name '${name}'`);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
    const ok = wpm(['key', 'generate', 'cache.example.org-1'], { home, cwd: dir });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^cache\.example\.org-1:[A-Za-z0-9+/]{43}=\n$/);
    expect(ok.stderr).toBe('wrote cache.example.org-1.sec (secret) and cache.example.org-1.pub\n');
    expect(fs.readdirSync(dir).sort()).toEqual(['cache.example.org-1.pub', 'cache.example.org-1.sec']);
  });

  it('help shows no empty defaults, and copy offers no --substituters it would ignore', () => {
    const home = tempDir('usage-help');
    for (const verb of ['build', 'run', 'eval', 'graph', 'show-derivation', 'serve', 'copy', 'log']) {
      const r = wpm([verb, '--help'], { home });
      expect(r.status, verb).toBe(0);
      expect(r.stdout, verb).not.toContain('(default: [])');
    }
    expect(wpm(['copy', '--help'], { home }).stdout).not.toContain('--substituters');
    expect(wpm(['copy', '--help'], { home }).stdout).toContain('--trusted-public-keys');
  });
});
