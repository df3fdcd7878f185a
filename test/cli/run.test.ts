// `wpm run`: real stdio, only the granted directories, and the program's own exit code.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir, wpm } from '../helpers/cli.js';
import { seededHome } from '../helpers/seed.js';

const FILE = path.join(REPO, 'test/fixtures/run-probe/default.jsonnet');
let home: string;
let cwd: string;

beforeAll(() => {
  home = seededHome();
  cwd = tempDir('cwd');
  const r = wpm(['build', FILE], { home, cwd });
  expect(r.status, r.stderr).toBe(0);
});

describe('wpm run', () => {
  it('passes stdin, stdout, stderr and the exit code through, and grants only --dir', () => {
    const data = tempDir('data');
    const r = wpm(['run', '--dir', `${data}:/data`, './result', '--', '7'], { home, cwd, input: 'hello guest\n' });
    expect(r.stdout).toBe('stdin: hello guest\npasswd: denied\ndata: written\n');
    expect(r.stderr).toBe('to stderr\n');
    expect(r.status).toBe(7);
    expect(fs.readFileSync(path.join(data, 'written.txt'), 'utf8')).toBe('written by the guest\n');
  });

  it('without --dir the program can write nowhere', () => {
    const r = wpm(['run', './result'], { home, cwd, input: '' });
    expect(r.stdout).toBe('passwd: denied\ndata: denied\n');
    expect(r.status).toBe(0);
  });

  it('gives the program HOME=/homeless and nothing else of the environment', () => {
    const r = wpm(['run', './result', '--', '0', 'env'], { home, cwd, input: '', env: { SECRET_HOST_VAR: 'leak' } });
    expect(r.stdout).toBe('passwd: denied\ndata: denied\nenv HOME=/homeless\n');
    expect(r.status).toBe(0);
  });

  it('runs a small program in its own thread, whose stack is short; WPM_RUN_STACK_MB gives it a worker with a deep one', () => {
    // Two million calls need some 100 MB of stack: far more than a main thread's 1 MB, well
    // within a 256 MB worker's.
    const deep = ['run', './result', '--', '0', 'recurse', '2000000'];
    const inThread = wpm(deep, { home, cwd, input: '' });
    expect(inThread.status, inThread.stderr).toBe(1);
    expect(inThread.stderr).toMatch(/wasm trap: call stack exhausted .*\(probe\)/);
    expect(inThread.stderr).toContain('WPM_RUN_STACK_MB=256 runs it in a thread with a 256 MB stack');
    const shallow = wpm(['run', './result', '--', '0', 'recurse', '1000'], { home, cwd, input: '' });
    expect(shallow.stdout).toContain('recursed: ');
    expect(shallow.status).toBe(0);
    const inWorker = wpm(deep, { home, cwd, input: '', env: { WPM_RUN_STACK_MB: '256' } });
    expect(inWorker.stdout, inWorker.stderr).toMatch(/recursed: \d+\n/);
    expect(inWorker.status).toBe(0);
    const bad = wpm(deep, { home, cwd, input: '', env: { WPM_RUN_STACK_MB: 'lots' } });
    expect(bad.stderr).toBe('error: WPM_RUN_STACK_MB=lots: expected a stack size in MiB, from 1 to 4096\n');
    expect(bad.status).toBe(2);
  });

  it('runs a Jsonnet file directly, building it first, or a directory by its default.jsonnet', () => {
    const r = wpm(['run', FILE, '--', '3'], { home, cwd: tempDir('cwd'), input: 'x\n' });
    expect(r.stdout).toContain('stdin: x\n');
    expect(r.status).toBe(3);
    const byDir = wpm(['run', path.dirname(FILE), '--', '4'], { home, cwd: tempDir('cwd'), input: 'y\n' });
    expect(byDir.stdout).toContain('stdin: y\n');
    expect(byDir.status).toBe(4);
    const empty = wpm(['run', tempDir('empty')], { home, cwd: tempDir('cwd'), input: '' });
    expect(empty.stderr).toContain('is a directory without a default.jsonnet');
    expect(empty.status).toBe(2);
  });

  it('names what is missing when there is no such program', () => {
    const r = wpm(['run', '--bin', 'nope', './result'], { home, cwd });
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/has no bin\/nope\.wasm/);
    expect(r.stderr).toContain('it has: probe.wasm');
  });

  it('a target that is not there is a usage error (exit 2), as for build', () => {
    for (const target of ['nope.jsonnet', './nonexist']) {
      const r = wpm(['run', target], { home, cwd: tempDir('cwd') });
      expect(r.status, target).toBe(2);
      expect(r.stderr).toBe(`error: ${target}: no such file or store path\n`);
    }
  });
});
