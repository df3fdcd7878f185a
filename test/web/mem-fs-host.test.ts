// The WASI host over the in-memory file system (as a browser worker runs it) answers the
// conformance programs of test/runtime exactly as the CLI's host over the disk does: the same
// mounts (the sysroot read-only, empty /build and /tmp, single-file and nested mounts, declared
// outputs), the same stdout, stderr and exit status, byte for byte.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGuest } from '../../runtime/wasi/host.js';
import { MemFs, type MemDir } from '../../runtime/wasi/mem-fs/index.js';
import type { Mount, WasiRunOptions } from '../../runtime/wasi/index.js';
import { SEED, SYSROOT_GUEST, fixturePrograms, runCaptured, sandbox, type Captured } from '../runtime/wasi-env.js';

const PROGRAMS = ['files', 'dirs', 'rename', 'symlinks', 'seek', 'stat', 'misc', 'clocks', 'random', 'args_env', 'poll', 'tryopen', 'outputs'];
const { pool, modules } = fixturePrograms(PROGRAMS);

/** A host tree copied into `mem` under `dir` as `name`. */
function load(mem: MemFs, dir: MemDir, name: string, host: string, readOnly: boolean): void {
  const st = fs.lstatSync(host);
  if (st.isDirectory()) {
    const d = mem.dir(st.mode & 0o777, readOnly);
    mem.attach(dir, name, d);
    for (const n of fs.readdirSync(host)) load(mem, d, n, path.join(host, n), readOnly);
  } else if (st.isSymbolicLink()) {
    mem.attach(dir, name, mem.symlinkNode(fs.readlinkSync(host), readOnly));
  } else {
    mem.attach(dir, name, mem.file(st.mode & 0o777, fs.readFileSync(host), readOnly));
  }
}

interface Case {
  args: string[];
  env?: Record<string, string>;
  /** Extra host files and mounts, relative to the sandbox root. */
  files?: Record<string, string>;
  extraMounts?: (Omit<Mount, 'host'> & { rel: string })[];
  output?: string;
}

/** The case on disk, through the CLI's pool and node:fs. */
async function onDisk(name: string, c: Case): Promise<Captured> {
  const sb = sandbox(`disk-${name}`);
  try {
    for (const [rel, text] of Object.entries(c.files ?? {})) {
      fs.mkdirSync(path.dirname(path.join(sb.root, rel)), { recursive: true });
      fs.writeFileSync(path.join(sb.root, rel), text);
    }
    const mounts = [...sb.mounts, ...(c.extraMounts ?? []).map((m) => ({ guest: m.guest, host: path.join(sb.root, m.rel), writable: m.writable }))];
    const outputs = c.output ? [{ guest: c.output, host: path.join(sb.root, 'out-result') }] : [];
    return await runCaptured(pool, modules.get(name)!, { args: c.args, env: c.env ?? {}, mounts, outputs });
  } finally {
    fs.rmSync(sb.root, { recursive: true, force: true });
  }
}

/** The same case in this thread, over a MemFs holding the same files. */
async function inMemory(name: string, c: Case): Promise<Captured> {
  const sb = sandbox(`mem-${name}`);
  const mem = new MemFs();
  try {
    const root = mem.mkdirp('/sb');
    load(mem, root, 'sysroot', sb.mounts[0]!.host, true);
    mem.mkdirp('/sb/build');
    mem.mkdirp('/sb/tmp');
    for (const [rel, text] of Object.entries(c.files ?? {})) {
      mem.mkdirp(path.posix.dirname(`/sb/${rel}`));
      const fd = mem.openSync(`/sb/${rel}`, mem.constants.O_WRONLY | mem.constants.O_CREAT, 0o644);
      const bytes = new TextEncoder().encode(text);
      mem.writeSync(fd, bytes, 0, bytes.length, 0);
      mem.closeSync(fd);
    }
    const mounts: Mount[] = [
      { guest: SYSROOT_GUEST, host: '/sb/sysroot', writable: false },
      { guest: '/build', host: '/sb/build', writable: true },
      { guest: '/tmp', host: '/sb/tmp', writable: true },
      ...(c.extraMounts ?? []).map((m) => ({ guest: m.guest, host: `/sb/${m.rel}`, writable: m.writable })),
    ];
    const opts: WasiRunOptions = {
      args: c.args, env: c.env ?? {}, mounts, seed: SEED, stdout: { file: '/stdout' }, stderr: { file: '/stderr' },
      ...(c.output ? { outputs: [{ guest: c.output, host: '/sb/out-result' }] } : {}),
    };
    const out = await runGuest(modules.get(name)!, opts, mem);
    const text = (p: string): string => {
      try {
        const n = mem.lookup(p);
        return n.kind === 'file' ? new TextDecoder().decode(n.data.subarray(0, n.size)) : '';
      } catch {
        return '';
      }
    };
    return { exitCode: out.exitCode ?? -1, stdout: text('/stdout'), stderr: text('/stderr') };
  } finally {
    fs.rmSync(sb.root, { recursive: true, force: true });
  }
}

const FILE = '/wpm/store/5555555555555555555555555555555z-hello.c';
const OUT = '/wpm/store/3333333333333333333333333333333z-result';
const CASES: [string, string, Case][] = [
  ...['files', 'dirs', 'rename', 'symlinks', 'seek', 'misc', 'clocks', 'random', 'poll'].map((p): [string, string, Case] => [p, p, { args: [p] }]),
  ['stat', 'stat of a sysroot header', { args: ['stat', `${SYSROOT_GUEST}/include/wasm32-wasip1/stdio.h`] }],
  ['args_env', 'args_env', { args: ['prog', 'one', 'two words', ''], env: { out: '/wpm/store/x-out', HOME: '/homeless', 'A=B': 'c' } }],
  ['tryopen', 'a single-file mount and a mount inside /build', {
    args: ['tryopen', FILE, `${FILE}/x`, 'ls:/wpm/store', 'ls:/build', '/build/nested/x', 'nested/x'],
    files: { 'hello.c': 'int main(void) { return 0; }\n', 'nested/x': 'nested x\n', 'build/own': '' },
    extraMounts: [{ guest: FILE, rel: 'hello.c', writable: false }, { guest: '/build/nested', rel: 'nested', writable: false }],
  }],
  ...['file', 'dir', 'rename'].map((mode): [string, string, Case] => ['outputs', `an output made as a ${mode}`, { args: ['outputs', OUT, mode], env: { out: OUT }, output: OUT }]),
];

describe('the host over the in-memory file system', () => {
  it.each(CASES)('runs %s (%s) exactly as over the disk', async (name, _what, c) => {
    const disk = await onDisk(name, c);
    expect(disk.exitCode, disk.stderr).toBe(0);
    expect(await inMemory(name, c)).toEqual(disk);
  });
});
