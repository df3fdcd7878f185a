// The package manager as a user meets it, with real packages compiled by clang.wasm: install two
// (one from a file of the user's, one from wpm's package set by name), run them through their
// launchers from another directory (reading a file there, arguments, stdin, exit codes), upgrade
// one after its source changed, roll back and find the first version again; then GC keeps every
// generation's closure and deletes what none needs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir, wpm, type CliResult } from '../helpers/cli.js';
import { seededHome } from '../helpers/seed.js';

function ok(r: CliResult): string {
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('installing, upgrading and rolling back real programs', () => {
  let home: string;
  let src: string;
  let elsewhere: string;
  let env: NodeJS.ProcessEnv;
  const run = (args: string[]) => wpm(args, { home });
  /** A command as a user types it in a shell whose PATH `wpm env` set up, from another directory. */
  const sh = (command: string, input = '') => {
    const r = spawnSync('sh', ['-c', command], { cwd: elsewhere, env, input, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const generations = () => JSON.parse(ok(run(['generations', '--json']))) as { number: number; path: string; current: boolean }[];
  const valid = (p: string) => fs.existsSync(path.join(home, 'db', `${path.basename(p).slice(0, 32)}.json`));

  beforeAll(() => {
    home = seededHome('install-flow');
    src = path.join(tempDir('install-flow-src'), 'hello');
    fs.cpSync(path.join(REPO, 'packages', 'hello'), src, { recursive: true });
    elsewhere = tempDir('install-flow-cwd');
    fs.writeFileSync(path.join(elsewhere, 'input.txt'), 'hi\n');
    // The launchers find their store through their own path: WPM_HOME is not needed to run them.
    const shellEnv = ok(run(['env']));
    const pathLine = /^export PATH=(.*)$/m.exec(shellEnv)![1]!;
    const bins = [...pathLine.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
    env = { ...process.env, PATH: [...bins, process.env.PATH].join(':') };
    delete env.WPM_HOME;
  });

  it('installs a package from a file and one from the package set by name', () => {
    const first = run(['install', src]);
    ok(first);
    expect(first.stderr).toContain('eval "$(wpm env)"');
    const second = run(['install', 'b64']);
    ok(second);
    expect(second.stderr).not.toContain('eval "$(wpm env)"');
    expect(ok(run(['list'])).trim().split('\n').map((l) => l.split('\t')[0])).toEqual(['b64', 'hello']);
    expect(generations().map((g) => g.number)).toEqual([1, 2]);
  });

  it('runs the programs by name from another directory: arguments, a file there, stdin, exit codes', () => {
    const hello = sh('hello world');
    expect(hello.stdout).toBe('Hello, world! This program was built by clang.wasm under wpm.\n');
    expect(hello.status).toBe(0);
    expect(sh('b64 input.txt')).toMatchObject({ status: 0, stdout: 'aGkK\n' });
    expect(sh('b64 -d', 'aGkK\n')).toMatchObject({ status: 0, stdout: 'hi\n' });
    const usage = sh('b64 --bogus');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/usage: b64/);
    // Only the current directory is granted: a file elsewhere on the host is not there for it.
    const outside = sh(`b64 ${path.join(home, 'db', fs.readdirSync(path.join(home, 'db'))[0]!)}`);
    expect(outside.status).toBe(1);
    expect(outside.stdout).toBe('');
    // Writing into the current directory, read-write by default.
    expect(sh('b64 input.txt > encoded.txt && b64 -d encoded.txt')).toMatchObject({ status: 0, stdout: 'hi\n' });
  });

  it('grants a program only what it was installed to see: --cwd none, --dir HOST:GUEST', () => {
    const data = tempDir('install-flow-data');
    fs.writeFileSync(path.join(data, 'secret.txt'), 'hi\n');
    ok(run(['install', 'b64', '--profile', 'sealed', '--cwd', 'none', '--dir', `${data}:/data`]));
    const bin = ok(run(['profile', 'path', '--profile', 'sealed'])).trim();
    const sealed = (cmd: string, input = '') => sh(`PATH='${bin}':"$PATH"; ${cmd}`, input);
    expect(sealed('b64 input.txt')).toMatchObject({ status: 1, stdout: '' }); // the current directory is not there
    expect(sealed('b64 /data/secret.txt')).toMatchObject({ status: 0, stdout: 'aGkK\n' });
    expect(sealed('b64', 'hi\n')).toMatchObject({ status: 0, stdout: 'aGkK\n' }); // stdin is always the real one
  });

  it('upgrades the package whose source changed, and only that one', () => {
    const hello = path.join(src, 'hello.c');
    fs.writeFileSync(hello, fs.readFileSync(hello, 'utf8').replace('"Hello, %s!', '"Howdy, %s!'));
    const dry = run(['upgrade', '--dry-run']);
    ok(dry);
    expect(dry.stderr).toMatch(/would upgrade hello: \/wpm\/store\/[0-9a-z]{32}-hello → \/wpm\/store\/[0-9a-z]{32}-hello/);
    expect(generations()).toHaveLength(2);
    const r = run(['upgrade']);
    ok(r);
    expect(r.stderr.match(/^upgrading /gm)).toHaveLength(1);
    expect(r.stderr).toMatch(/^upgrading hello: /m);
    expect(generations().find((g) => g.current)!.number).toBe(3);
    expect(sh('hello world').stdout).toBe('Howdy, world! This program was built by clang.wasm under wpm.\n');
    expect(sh('b64 input.txt').stdout).toBe('aGkK\n');
  });

  it('rolls back to the first version', () => {
    ok(run(['rollback']));
    expect(generations().find((g) => g.current)!.number).toBe(2);
    expect(sh('hello world').stdout).toBe('Hello, world! This program was built by clang.wasm under wpm.\n');
  });

  it("GC keeps every generation's closure and deletes what no generation needs", () => {
    // Something no generation needs: what evaluating a package for a dry run wrote.
    const dry = run(['install', '--dry-run', '--json', 'crc32']);
    ok(dry);
    const crc32Drv = (JSON.parse(dry.stdout.trim().split('\n')[0]!) as { toBuild: string[] }).toBuild;
    expect(crc32Drv.length).toBeGreaterThan(0);
    const closures = generations().map((g) => (JSON.parse(ok(run(['store', 'path-info', '-r', '--json', g.path]))) as { path: string }[]).map((i) => i.path));
    const gc = JSON.parse(ok(run(['store', 'gc', '--json']))) as { deleted: { path: string }[] };
    const deleted = new Set(gc.deleted.map((d) => d.path));
    for (const d of crc32Drv) expect(deleted.has(d), d).toBe(true);
    for (const closure of closures) for (const p of closure) expect(valid(p), p).toBe(true);
    expect(sh('hello world').stdout).toMatch(/^Hello, world!/);
    ok(run(['switch-generation', '3']));
    expect(sh('hello world').stdout).toMatch(/^Howdy, world!/);

    // Once generation 3 is gone, what only it kept goes too: the upgraded hello.
    ok(run(['rollback']));
    const upgraded = closures[2]!.filter((p) => !closures[1]!.includes(p));
    expect(upgraded.some((p) => p.endsWith('-hello'))).toBe(true);
    ok(run(['generations', 'delete', '3']));
    ok(run(['store', 'gc']));
    for (const p of upgraded) expect(valid(p), p).toBe(false);
    for (const p of closures[1]!) expect(valid(p), p).toBe(true);
    expect(sh('hello world').stdout).toMatch(/^Hello, world!/);
  });
});
