// Hostile guests: each tries one way out of the sandbox or past a limit, and is denied.
// The host process and the pool survive every one of them.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWpmError } from '../../util/errors.js';
import { WasiPool, compileModule, type Mount, type WasiRunOptions } from '../../runtime/wasi/index.js';
import { buildFixture, loadModule, runCaptured, sandbox, tempDir } from './wasi-env.js';

const PROGRAMS = ['tryopen', 'write_input', 'sockets', 'realtime', 'spin', 'hog', 'flood', 'args_env', 'hello'];
// Set before the pool starts its workers, so a leak through the workers' environment would show.
process.env.WPM_HOST_SECRET = 'leaked';
const pool = new WasiPool({ size: 2 });
const modules = new Map<string, WebAssembly.Module>();

const EVIL = '/wpm/store/1111111111111111111111111111111z-evil';
const OTHER = '/wpm/store/2222222222222222222222222222222z-other';
let secretDir: string;
let secretFile: string;
let evilHost: string;
let otherHost: string;

beforeAll(async () => {
  const files = await Promise.all(PROGRAMS.map((p) => buildFixture(pool, p)));
  PROGRAMS.forEach((p, i) => modules.set(p, loadModule(files[i])));
  // A host secret outside the sandbox, and an input whose symlinks point at it.
  secretDir = tempDir('secret');
  secretFile = path.join(secretDir, 'secret.txt');
  fs.writeFileSync(secretFile, 'TOP SECRET host data\n');
  const inputs = tempDir('inputs');
  evilHost = path.join(inputs, 'evil');
  otherHost = path.join(inputs, 'other');
  fs.mkdirSync(path.join(evilHost, 'subdir'), { recursive: true });
  fs.mkdirSync(otherHost);
  fs.writeFileSync(path.join(evilHost, 'data.txt'), 'input data\n');
  fs.writeFileSync(path.join(otherHost, 'file'), 'other input\n');
  fs.symlinkSync('/etc/passwd', path.join(evilHost, 'abs-passwd'));
  fs.symlinkSync('../../../../../../../../etc/passwd', path.join(evilHost, 'rel-escape'));
  fs.symlinkSync(secretFile, path.join(evilHost, 'host-secret'));
  fs.symlinkSync(secretDir, path.join(evilHost, 'host-dir'));
  fs.symlinkSync('../2222222222222222222222222222222z-other/file', path.join(evilHost, 'sibling'));
  fs.symlinkSync(`${OTHER}/file`, path.join(evilHost, 'abs-sibling'));
  fs.symlinkSync('/wpm/store/9999999999999999999999999999999z-not-in-closure/file', path.join(evilHost, 'unmounted'));
});
afterAll(() => pool.close());

function inputMounts(): Mount[] {
  return [
    { guest: EVIL, host: evilHost, writable: false },
    { guest: OTHER, host: otherHost, writable: false },
  ];
}

async function run(name: string, opts: Partial<WasiRunOptions> = {}) {
  const sb = sandbox(name);
  try {
    const r = await runCaptured(pool, modules.get(name)!, { args: [name], env: {}, ...opts, mounts: [...sb.mounts, ...inputMounts(), ...(opts.mounts ?? [])] });
    return { ...r, build: sb.build };
  } finally {
    fs.rmSync(sb.root, { recursive: true, force: true });
  }
}

function lines(stdout: string): Record<string, string> {
  return Object.fromEntries(stdout.replace(/\n$/, '').split('\n').map((l) => l.split(' -> ') as [string, string]));
}

describe('the sandbox has no way out', () => {
  it('denies /etc/passwd, ../ climbing and /proc, whatever the spelling', async () => {
    const r = await run('tryopen', {
      args: ['tryopen', '/etc/passwd', '../../etc/passwd', '../etc/passwd', '/build/../../etc/passwd', '/wpm/store/../../etc/passwd',
        '/tmp/../../../etc/passwd', `${EVIL}/../../../etc/passwd`, '/proc/self/environ', '/dev/null', secretFile],
    });
    expect(lines(r.stdout)).toEqual({
      '/etc/passwd': 'ENOENT',
      '../../etc/passwd': 'ENOTCAPABLE',
      '../etc/passwd': 'ENOTCAPABLE',
      '/build/../../etc/passwd': 'ENOTCAPABLE',
      '/wpm/store/../../etc/passwd': 'ENOTCAPABLE',
      '/tmp/../../../etc/passwd': 'ENOTCAPABLE',
      [`${EVIL}/../../../etc/passwd`]: 'ENOTCAPABLE',
      '/proc/self/environ': 'ENOENT',
      '/dev/null': 'ENOENT',
      [secretFile]: 'ENOENT',
    });
  });

  it('does not follow symlinks in an input out of the sandbox or its closure, but does follow them inside it', async () => {
    const r = await run('tryopen', {
      args: ['tryopen', `${EVIL}/abs-passwd`, `${EVIL}/rel-escape`, `${EVIL}/host-secret`, `${EVIL}/host-dir/secret.txt`, `${EVIL}/unmounted`,
        `${EVIL}/sibling`, `${EVIL}/abs-sibling`, `${EVIL}/data.txt`],
    });
    expect(lines(r.stdout)).toEqual({
      [`${EVIL}/abs-passwd`]: 'ENOENT',
      [`${EVIL}/rel-escape`]: 'ENOTCAPABLE',
      [`${EVIL}/host-secret`]: 'ENOENT',
      [`${EVIL}/host-dir/secret.txt`]: 'ENOENT',
      [`${EVIL}/unmounted`]: 'ENOENT',
      [`${EVIL}/sibling`]: 'READ 12: other input ',
      [`${EVIL}/abs-sibling`]: 'READ 12: other input ',
      [`${EVIL}/data.txt`]: 'READ 11: input data ',
    });
    expect(r.stdout).not.toContain('SECRET');
  });

  it('refuses to plant a symlink naming a host place, absolute or climbing, and leaves none on the host', async () => {
    const sb = sandbox('plant');
    try {
      const r = await runCaptured(pool, modules.get('tryopen')!, {
        args: ['tryopen', 'ln:/etc:/build/etc', '/build/etc/passwd', `ln:${secretDir}:s`, 's/secret.txt', `ln:${secretFile}:/tmp/f`, '/tmp/f',
          'ln:/:/build/root', 'ln:../../../../../../../../..:/build/up', 'ln:../../..:/tmp/up', 'ln:..:/build/guest-root', 'guest-root/build/s'],
        env: {}, mounts: [...sb.mounts, ...inputMounts()],
      });
      expect(lines(r.stdout)).toEqual({
        'ln:/etc:/build/etc': 'EPERM',
        '/build/etc/passwd': 'ENOENT',
        [`ln:${secretDir}:s`]: 'EPERM',
        's/secret.txt': 'ENOENT',
        [`ln:${secretFile}:/tmp/f`]: 'EPERM',
        '/tmp/f': 'ENOENT',
        'ln:/:/build/root': 'EPERM',
        'ln:../../../../../../../../..:/build/up': 'ENOTCAPABLE',
        'ln:../../..:/tmp/up': 'ENOTCAPABLE',
        // '..' from /build is the guest's root, which holds nothing of the host: allowed.
        'ln:..:/build/guest-root': 'OK',
        'guest-root/build/s': 'ENOENT',
      });
      const planted = [sb.build, sb.tmp].flatMap((d) => fs.readdirSync(d).map((n) => path.join(d, n)));
      expect(planted.filter((p) => fs.lstatSync(p).isSymbolicLink()).map((p) => fs.readlinkSync(p))).toEqual(['..']);
    } finally {
      fs.rmSync(sb.root, { recursive: true, force: true });
    }
  });

  it('shows only the mounted store paths under /wpm/store, and no host root', async () => {
    const r = await run('tryopen', { args: ['tryopen', 'ls:/wpm/store', 'ls:/wpm', 'ls:/'] });
    const l = lines(r.stdout);
    expect(l['ls:/wpm/store']).toBe(`. .. 0000000000000000000000000000000a-wasi-sysroot 1111111111111111111111111111111z-evil 2222222222222222222222222222222z-other`);
    // wasi-libc maps an absolute path with no matching preopen ("/wpm", "/") onto the "."
    // preopen (empty prefix), i.e. the working directory: never anything of the host.
    expect(l['ls:/wpm']).toBe('ENOENT');
    expect(l['ls:/']).toBe('. ..');
  });

  it('refuses every write into a read-only input and leaves it untouched', async () => {
    const before = fs.readdirSync(evilHost).sort();
    const r = await run('write_input', { args: ['write_input', EVIL, `${EVIL}/data.txt`] });
    expect(lines(r.stdout)).toEqual({
      'open O_WRONLY': 'EROFS', 'open O_RDWR': 'EROFS', 'open O_TRUNC': 'EROFS', create: 'EROFS', unlink: 'EROFS',
      'rename within': 'EROFS', 'rename out': 'EROFS', 'rename in': 'EROFS', mkdir: 'EROFS', rmdir: 'EROFS',
      utimensat: 'EROFS', truncate: 'EROFS', 'link out': 'EXDEV', symlink: 'EROFS', 'create in /wpm/store': 'EROFS',
      'mkdir in /wpm/store': 'EROFS', 'rmdir a store path': 'EBUSY', 'write via O_RDONLY fd': 'EBADF', 'ftruncate via O_RDONLY fd': 'EBADF',
    });
    expect(fs.readdirSync(evilHost).sort()).toEqual(before);
    expect(fs.readFileSync(path.join(evilHost, 'data.txt'), 'utf8')).toBe('input data\n');
  });

  it('has no sockets and no signals', async () => {
    const r = await run('sockets');
    expect(r.stdout).toBe(
      'fd 0: accept ENOTSOCK recv ENOTSOCK send ENOTSOCK shutdown ENOTSOCK\n' +
        'fd 3: accept ENOTSOCK recv ENOTSOCK send ENOTSOCK shutdown ENOTSOCK\n' +
        'libc accept ENOTSOCK\nproc_raise ENOSYS\n',
    );
  });

  it('sees none of the host environment', async () => {
    expect(process.env.WPM_HOST_SECRET).toBe('leaked');
    expect((await run('args_env')).stdout).toBe('argc=1\nargv[0]=args_env\nHOME=(unset)\n');
    expect((await run('args_env', { env: { ONLY: 'this' } })).stdout).toBe('argc=1\nargv[0]=args_env\nenv ONLY=this\nHOME=(unset)\n');
  });

  it('cannot learn the real time from clocks or file timestamps', async () => {
    const r = await run('realtime', { args: ['realtime', `${EVIL}/data.txt`] });
    const out = r.stdout.split('\n');
    expect(out.slice(0, 3)).toEqual(['time 1', 'gettimeofday 1.000000', 'clock 0: 0 1.000000000']);
    expect(out[3]).toMatch(/^clock 1: 0 0\.0000\d+$/); // the monotonic clock counts virtually
    // There are no CPU-time clocks (EBADF, as WASI 0.2 components see it through the adapter).
    expect(out.slice(4, 6)).toEqual(['clock 2: 8 0.000000000', 'clock 3: 8 0.000000000']);
    expect(out.slice(6, 11)).toEqual(['stat fresh: 1 1 1', 'stat /build: 1 1 1', 'stat /tmp: 1 1 1', 'stat /wpm/store: 1 1 1', 'stat input: 1 1 1']);
  });
});

describe('limits', () => {
  it('stops an endless loop at the time limit, and the pool goes on', async () => {
    const t0 = Date.now();
    const err = await run('spin', { limits: { timeoutMs: 300 } }).catch((e: unknown) => e);
    expect(isWpmError(err, 'ERR_WASI_TIMEOUT')).toBe(true);
    expect((err as Error).message).toContain('300 ms');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect((await run('hello')).stdout).toBe('hello\n');
  });

  it('aborts every running guest on abortAll (Ctrl-C)', async () => {
    const p = pool.run(modules.get('spin')!, { args: ['spin'], env: {}, mounts: sandbox().mounts, seed: new Uint8Array(32) });
    setTimeout(() => pool.abortAll(), 200);
    const err = await p.catch((e: unknown) => e);
    expect(isWpmError(err, 'ERR_WASI_ABORTED')).toBe(true);
    expect((await run('hello')).exitCode).toBe(0);
  });

  it.each(['exit', 'abort'])('fails an unbounded allocation at the memory limit (guest then %s)', async (how) => {
    const err = await run('hog', { args: ['hog', how], limits: { memoryBytes: 64 * 1024 * 1024 } }).catch((e: unknown) => e);
    expect(isWpmError(err, 'ERR_WASI_MEMORY_LIMIT')).toBe(true);
    expect((err as Error).message).toContain('64 MiB');
  });

  it('fails at once when the initial memory is over the limit', async () => {
    const err = await run('hello', { limits: { memoryBytes: 65536 } }).catch((e: unknown) => e);
    expect(isWpmError(err, 'ERR_WASI_MEMORY_LIMIT')).toBe(true);
  });

  it('enforces the memory limit on a module compiled elsewhere (not patchable) at its next system call', async () => {
    const file = await buildFixture(pool, 'hog');
    const foreign = new WebAssembly.Module(fs.readFileSync(file));
    const sb = sandbox('foreign');
    const err = await pool.run(foreign, { args: ['hog', 'exit', 'chatty'], env: {}, mounts: sb.mounts, seed: new Uint8Array(32), limits: { memoryBytes: 32 * 1024 * 1024 } }).catch((e: unknown) => e);
    expect(isWpmError(err, 'ERR_WASI_MEMORY_LIMIT')).toBe(true);
  });

  it('fails unbounded writing at the output limit with ENOSPC in the guest', async () => {
    const limit = 10 * 1024 * 1024;
    const sb = sandbox('flood');
    const log = path.join(sb.root, 'out.log');
    const err = await pool
      .run(modules.get('flood')!, { args: ['flood'], env: {}, mounts: sb.mounts, seed: new Uint8Array(32), limits: { outputBytes: limit }, stdout: { file: log } })
      .catch((e: unknown) => e);
    expect(isWpmError(err, 'ERR_WASI_OUTPUT_LIMIT')).toBe(true);
    expect((err as Error).message).toContain(String(limit));
    expect(fs.readFileSync(log, 'utf8')).toBe('write failed after 10 MiB: ENOSPC\n');
    expect(fs.statSync(path.join(sb.build, 'flood')).size).toBeLessThanOrEqual(limit);
  });

  it('rejects a module with an invalid function body when that function is first called', async () => {
    // (memory (export "memory") 1) (func (export "_start") i32.const 1 i32.add drop): i32.add lacks an operand.
    const bytes = Buffer.from(
      '0061736d01000000' + '010401600000' + '03020100' + '0503010001' +
        '07130206' + Buffer.from('memory').toString('hex') + '020006' + Buffer.from('_start').toString('hex') + '0000' +
        '0a080106004101' + '6a1a0b',
      'hex',
    );
    const err = await pool.run(compileModule(bytes), { args: ['x'], env: {}, mounts: [], seed: new Uint8Array(32) }).catch((e: unknown) => e);
    expect(isWpmError(err, 'ERR_WASI_INVALID_MODULE')).toBe(true);
    expect((err as Error).message).toMatch(/Compiling function #0 failed: .*i32\.add/);
    expect((await run('hello')).stdout).toBe('hello\n'); // the pool goes on
  });

  it('rejects a module that is not a WASI command', async () => {
    const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const err = await pool.run(new WebAssembly.Module(bytes), { args: ['x'], env: {}, mounts: [], seed: new Uint8Array(32) }).catch((e: unknown) => e);
    expect(isWpmError(err, 'ERR_WASI_INVALID_MODULE')).toBe(true);
  });
});
