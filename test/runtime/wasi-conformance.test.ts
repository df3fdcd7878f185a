// Conformance: small C programs compiled at test time with clang.wasm through our own host,
// each checking its own results; the tests assert their output and exit codes.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWpmError } from '../../util/errors.js';
import type { WasiRunOptions } from '../../runtime/wasi/index.js';
import { fixturePrograms, runCaptured, sandbox, SYSROOT_GUEST } from './wasi-env.js';

const PROGRAMS = ['files', 'dirs', 'rename', 'symlinks', 'seek', 'stat', 'clocks', 'random', 'args_env', 'stdin', 'exit', 'poll', 'outputs', 'misc', 'tryopen'];
const { pool, modules } = fixturePrograms(PROGRAMS);

type RunOpts = Partial<Omit<WasiRunOptions, 'mounts'>>;

async function run(name: string, opts: RunOpts = {}) {
  const sb = sandbox(name);
  try {
    return await runCaptured(pool, modules.get(name)!, { args: [name], env: {}, mounts: sb.mounts, ...opts });
  } finally {
    fs.rmSync(sb.root, { recursive: true, force: true });
  }
}

describe('file system', () => {
  it('creates, writes, appends, truncates and reads files by relative and absolute paths', async () => {
    expect(await run('files')).toMatchObject({ exitCode: 0, stdout: 'ok\n' });
  });

  it('makes and removes directories and lists them bytewise-sorted with . and ..', async () => {
    const r = await run('dirs');
    expect(r.stdout).toBe('d: ./ ../ C _ a b sub/ \u00e9\n/build/d/sub: ./ ../\nok\n');
    expect(r.exitCode).toBe(0);
  });

  it('renames and unlinks files and directories', async () => {
    expect(await run('rename')).toMatchObject({ exitCode: 0, stdout: 'ok\n' });
  });

  it('creates, reads and follows symlinks virtually, with loops detected', async () => {
    expect(await run('symlinks')).toMatchObject({ exitCode: 0, stdout: 'ok\n' });
  });

  it('seeks with SET/CUR/END, leaves holes, rejects bad offsets', async () => {
    expect(await run('seek')).toMatchObject({ exitCode: 0, stdout: 'ok\n' });
  });

  it('advises, allocates, syncs, sets fd flags, renumbers and drops rights', async () => {
    expect(await run('misc')).toMatchObject({ exitCode: 0, stdout: 'ok\n' });
  });

  it('reports stat results with fixed times unless set, and stable inode numbers', async () => {
    const r = await run('stat', { args: ['stat', `${SYSROOT_GUEST}/include/wasm32-wasip1/stdio.h`] });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'ok\n' });
  });
});

describe('mounts', () => {
  it('mounts a single file as a store path, and a directory inside another mount', async () => {
    const sb = sandbox('mounts');
    const file = path.join(sb.root, 'hello.c');
    const nested = path.join(sb.root, 'nested');
    fs.writeFileSync(file, 'int main(void) { return 0; }\n');
    fs.mkdirSync(nested);
    fs.writeFileSync(path.join(nested, 'x'), 'nested x\n');
    fs.writeFileSync(path.join(sb.build, 'own'), '');
    const FILE = '/wpm/store/5555555555555555555555555555555z-hello.c';
    try {
      const r = await runCaptured(pool, modules.get('tryopen')!, {
        args: ['tryopen', FILE, `${FILE}/x`, 'ls:/wpm/store', 'ls:/build', '/build/nested/x', 'nested/x'],
        env: {},
        mounts: [...sb.mounts, { guest: FILE, host: file, writable: false }, { guest: '/build/nested', host: nested, writable: false }],
      });
      expect(r.stdout).toBe(
        `${FILE} -> READ 29: int main(void) { return 0; } \n` +
          `${FILE}/x -> ENOTDIR\n` +
          'ls:/wpm/store -> . .. 0000000000000000000000000000000a-wasi-sysroot 5555555555555555555555555555555z-hello.c\n' +
          'ls:/build -> . .. nested own\n' +
          '/build/nested/x -> READ 9: nested x \n' +
          'nested/x -> READ 9: nested x \n',
      );
    } finally {
      fs.rmSync(sb.root, { recursive: true, force: true });
    }
  });
});

describe('declared outputs', () => {
  const OUT = '/wpm/store/3333333333333333333333333333333z-result';

  it.each(['file', 'dir', 'rename'])('lets the guest create its output as a %s, and lists it in /wpm/store once created', async (mode) => {
    const sb = sandbox('out');
    const host = path.join(sb.root, 'out-result');
    try {
      const r = await runCaptured(pool, modules.get('outputs')!, {
        args: ['outputs', OUT, mode], env: { out: OUT }, mounts: sb.mounts, outputs: [{ guest: OUT, host }],
      });
      expect(r.stdout).toBe(
        'store: 0000000000000000000000000000000a-wasi-sysroot\n' +
          'store: 0000000000000000000000000000000a-wasi-sysroot 3333333333333333333333333333333z-result\nok\n',
      );
      expect(r.exitCode).toBe(0);
      if (mode === 'file') expect(fs.readFileSync(host, 'utf8')).toBe('a file output\n');
      if (mode === 'dir') {
        expect(fs.readFileSync(path.join(host, 'bin/tool'), 'utf8')).toBe('tool\n');
        expect(fs.readlinkSync(path.join(host, 'link'))).toBe('bin/tool');
      }
      if (mode === 'rename') expect(fs.readFileSync(path.join(host, 'f'), 'utf8')).toBe('staged\n');
    } finally {
      fs.rmSync(sb.root, { recursive: true, force: true });
    }
  });
});

describe('process', () => {
  it('has a fixed wall clock and a virtual monotonic clock that sleeping advances', async () => {
    const r = await run('clocks');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('utc 1970-01-01 00:00:01\nok\n');
  });

  it('draws random bytes from the seed: same seed same bytes, other seed other bytes', async () => {
    const a = await run('random');
    const b = await run('random');
    const c = await run('random', { seed: new Uint8Array(32).fill(9) });
    expect(a.exitCode).toBe(0);
    expect(a.stdout).toMatch(/^[0-9a-f]{64}\n[0-9a-f]{8}\nok\n$/);
    expect(b.stdout).toBe(a.stdout);
    expect(c.stdout).not.toBe(a.stdout);
  });

  it('passes argv and exactly the given environment', async () => {
    const r = await run('args_env', { args: ['prog', 'one', 'two words', ''], env: { out: '/wpm/store/x-out', HOME: '/homeless', 'A=B': 'c' } });
    expect(r.stdout).toBe(
      'argc=4\nargv[0]=prog\nargv[1]=one\nargv[2]=two words\nargv[3]=\n' +
        'env out=/wpm/store/x-out\nenv HOME=/homeless\nenv A=B=c\nHOME=/homeless\n',
    );
  });

  it('reads the whole stdin buffer, then EOF', async () => {
    const text = 'first line\n' + 'x'.repeat(100_000);
    const r = await run('stdin', { stdin: new TextEncoder().encode(text) });
    expect(r.stdout).toMatch(/^len=100011 sum=[0-9a-f]{8} first=first line\n$/);
    expect((await run('stdin')).stdout).toBe('len=0 sum=00000000 first=\n');
  });

  it('resolves with the exit code of return, exit and _exit', async () => {
    expect((await run('exit')).exitCode).toBe(0);
    expect((await run('exit', { args: ['exit', 'return', '7'] })).exitCode).toBe(7);
    expect((await run('exit', { args: ['exit', 'exit', '3'] })).exitCode).toBe(3);
    const r = await run('exit', { args: ['exit', '_exit', '255'] });
    expect(r).toEqual({ exitCode: 255, stdout: 'exiting by _exit\n', stderr: '' });
  });

  it.each([
    ['trap', /unreachable.*deliberately_trap/],
    ['oob', /out of bounds memory access.*deliberately_read_out_of_bounds/],
    ['abort', /unreachable/],
    ['shadow', /out of bounds memory access.*overflow_shadow_stack/],
    ['stack', /call stack exhausted.*overflow_call_stack/],
  ])('rejects a guest that traps (%s) with ERR_WASI_TRAP naming the trap and function', async (how, message) => {
    const err = await run('exit', { args: ['exit', how] }).catch((e: unknown) => e);
    expect(isWpmError(err, 'ERR_WASI_TRAP')).toBe(true);
    expect((err as Error).message).toMatch(message);
  });

  it('polls stdin/stdout as ready and sleeps in virtual time', async () => {
    expect(await run('poll')).toMatchObject({ exitCode: 0, stdout: 'ok\n' });
  });

  it('the pool survives traps and keeps running guests', async () => {
    await run('exit', { args: ['exit', 'trap'] }).catch(() => undefined);
    expect((await run('exit', { args: ['exit', 'exit', '5'] })).exitCode).toBe(5);
  });
});
