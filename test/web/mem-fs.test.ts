// The in-memory file system (runtime/wasi/mem-fs) answers the host's calls as node:fs does on
// Linux: one script of operations runs on both, from an empty directory, and every answer (a
// value, or the error's code) and every stat must be the same.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostFs, HostStats } from '../../runtime/wasi/host-fs.js';
import { MemFs } from '../../runtime/wasi/mem-fs/index.js';
import { nodeHostFs } from '../../runtime/wasi/node-host-fs.js';

type Op = (fs: HostFs, p: (rel: string) => string, fds: Map<string, number>) => unknown;

function describeStat(st: HostStats | undefined): unknown {
  if (st === undefined) return 'absent';
  const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
  // Directory sizes differ between host file systems; the host reports a constant for them.
  return { type, perm: (st.mode & 0o7777).toString(8), nlink: st.nlink, size: type === 'dir' ? '-' : st.size };
}

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_NOFOLLOW } = fs.constants;
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
function readAll(h: HostFs, fd: number): string {
  const buf = new Uint8Array(256);
  const n = h.readSync(fd, buf, 0, buf.length, 0);
  return new TextDecoder().decode(buf.subarray(0, n));
}
const open = (name: string, rel: string, flags: number): Op => (h, p, fds) => void fds.set(name, h.openSync(p(rel), flags, 0o644));
const close = (name: string): Op => (h, _p, fds) => h.closeSync(fds.get(name)!);
const stat = (rel: string): Op => (h, p) => describeStat(h.lstatSync(p(rel), { throwIfNoEntry: false }));
const fstat = (name: string): Op => (h, _p, fds) => describeStat(h.fstatSync(fds.get(name)!));
const sameInode = (a: string, b: string): Op => (h, p) => h.lstatSync(p(a), { throwIfNoEntry: false })!.ino === h.lstatSync(p(b), { throwIfNoEntry: false })!.ino;

const SCRIPT: [string, Op][] = [
  ['mkdir d', (h, p) => h.mkdirSync(p('d'), 0o755)],
  ['mkdir d again', (h, p) => h.mkdirSync(p('d'), 0o755)],
  ['mkdir in a missing dir', (h, p) => h.mkdirSync(p('nope/x'), 0o755)],
  ['stat d', stat('d')],
  ['create f', open('f', 'd/f', O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW)],
  ['create f exclusively again', open('f2', 'd/f', O_RDWR | O_CREAT | O_EXCL)],
  ['write at 0', (h, _p, fds) => h.writeSync(fds.get('f')!, bytes('hello world'), 0, 11, 0)],
  ['write past the end leaves a hole', (h, _p, fds) => h.writeSync(fds.get('f')!, bytes('XY'), 0, 2, 20)],
  ['fstat f', fstat('f')],
  ['read it', (h, _p, fds) => JSON.stringify(readAll(h, fds.get('f')!))],
  ['read past the end', (h, _p, fds) => h.readSync(fds.get('f')!, new Uint8Array(4), 0, 4, 100)],
  ['truncate shorter', (h, _p, fds) => h.ftruncateSync(fds.get('f')!, 5)],
  ['truncate longer', (h, _p, fds) => h.ftruncateSync(fds.get('f')!, 8)],
  ['read after truncation', (h, _p, fds) => JSON.stringify(readAll(h, fds.get('f')!))],
  ['close f', close('f')],
  ['close f twice', close('f')],
  ['stat d after a file and a subdir', (h, p) => (h.mkdirSync(p('d/sub'), 0o700), describeStat(h.lstatSync(p('d'), { throwIfNoEntry: false })))],
  ['open read-only, write', (h, p) => h.writeSync(h.openSync(p('d/f'), O_RDONLY), bytes('a'), 0, 1, 0)],
  ['open write-only, read', (h, p) => h.readSync(h.openSync(p('d/f'), O_WRONLY), new Uint8Array(1), 0, 1, 0)],
  ['open write-only, truncate is allowed', (h, p) => { const fd = h.openSync(p('d/f'), O_WRONLY); h.ftruncateSync(fd, 3); h.closeSync(fd); return describeStat(h.lstatSync(p('d/f'), { throwIfNoEntry: false })); }],
  ['open read-only, truncate', (h, p) => h.ftruncateSync(h.openSync(p('d/f'), O_RDONLY), 1)],
  ['append ignores the position', (h, p) => { const fd = h.openSync(p('d/f'), O_WRONLY | O_APPEND); h.writeSync(fd, bytes('++'), 0, 2, 0); h.writeSync(fd, bytes('!'), 0, 1); h.closeSync(fd); return JSON.stringify(readAll(h, h.openSync(p('d/f'), O_RDONLY))); }],
  ['O_TRUNC empties', (h, p) => { h.closeSync(h.openSync(p('d/f'), O_WRONLY | O_TRUNC)); return describeStat(h.lstatSync(p('d/f'), { throwIfNoEntry: false })); }],
  ['open a missing file', open('m', 'd/missing', O_RDONLY)],
  ['open a directory for writing', open('m', 'd', O_WRONLY)],
  ['open below a file', open('m', 'd/f/x', O_RDONLY)],
  ['stat below a file', stat('d/f/x')],
  ['stat a missing file', stat('d/missing')],
  ['symlink', (h, p) => h.symlinkSync('f', p('d/l'))],
  ['symlink over an entry', (h, p) => h.symlinkSync('x', p('d/f'))],
  ['stat the symlink', stat('d/l')],
  ['readlink', (h, p) => h.readlinkSync(p('d/l'))],
  ['readlink of a file', (h, p) => h.readlinkSync(p('d/f'))],
  ['open through it with O_NOFOLLOW', open('m', 'd/l', O_RDONLY | O_NOFOLLOW)],
  ['open through it', (h, p) => describeStat(h.fstatSync(h.openSync(p('d/l'), O_RDONLY)))],
  ['a path through a symlinked dir', (h, p) => (h.symlinkSync('sub', p('d/ls')), h.mkdirSync(p('d/ls/deeper'), 0o755), describeStat(h.lstatSync(p('d/sub/deeper'), { throwIfNoEntry: false })))],
  ['a symlink loop', (h, p) => (h.symlinkSync('loop', p('d/loop')), h.lstatSync(p('d/loop/x'), { throwIfNoEntry: false }))],
  ['hard link', (h, p) => h.linkSync(p('d/f'), p('d/hard'))],
  ['hard link shares the inode', sameInode('d/f', 'd/hard')],
  ['nlink after the link', stat('d/f')],
  ['hard link to a directory', (h, p) => h.linkSync(p('d/sub'), p('d/hd'))],
  ['hard link over an entry', (h, p) => h.linkSync(p('d/f'), p('d/l'))],
  ['hard link to a symlink links the symlink', (h, p) => (h.linkSync(p('d/l'), p('d/l2')), describeStat(h.lstatSync(p('d/l2'), { throwIfNoEntry: false })))],
  ['unlink the hard link', (h, p) => (h.unlinkSync(p('d/hard')), describeStat(h.lstatSync(p('d/f'), { throwIfNoEntry: false })))],
  ['unlink a directory', (h, p) => h.unlinkSync(p('d/sub'))],
  ['unlink a missing file', (h, p) => h.unlinkSync(p('d/missing'))],
  ['rmdir a file', (h, p) => h.rmdirSync(p('d/f'))],
  ['rmdir a non-empty dir', (h, p) => h.rmdirSync(p('d/sub'))],
  ['rmdir a symlink to a dir', (h, p) => h.rmdirSync(p('d/ls'))],
  ['rename a file over a file', (h, p) => { const fd = h.openSync(p('d/g'), O_WRONLY | O_CREAT); h.writeSync(fd, bytes('gg'), 0, 2, 0); h.closeSync(fd); h.renameSync(p('d/g'), p('d/f')); return [describeStat(h.lstatSync(p('d/f'), { throwIfNoEntry: false })), describeStat(h.lstatSync(p('d/g'), { throwIfNoEntry: false }))]; }],
  ['rename a file over a dir', (h, p) => h.renameSync(p('d/f'), p('d/sub'))],
  ['rename a dir over a file', (h, p) => h.renameSync(p('d/sub'), p('d/f'))],
  ['rename a dir over a non-empty dir', (h, p) => (h.mkdirSync(p('d/e'), 0o755), h.renameSync(p('d/e'), p('d/sub')))],
  ['rename a dir over an empty dir', (h, p) => (h.mkdirSync(p('d/e2'), 0o755), h.renameSync(p('d/sub'), p('d/e2')), h.readdirSync(p('d')).sort())],
  ['rename a dir into itself', (h, p) => h.renameSync(p('d/e2'), p('d/e2/deeper/x'))],
  ['rename onto itself', (h, p) => h.renameSync(p('d/f'), p('d/f'))],
  ['rename a missing entry', (h, p) => h.renameSync(p('d/missing'), p('d/x'))],
  ['rename a symlink moves the link', (h, p) => (h.renameSync(p('d/l'), p('d/e2/l')), h.readlinkSync(p('d/e2/l')))],
  ['readdir', (h, p) => h.readdirSync(p('d')).sort()],
  ['readdir of a file', (h, p) => h.readdirSync(p('d/f'))],
  ['readdir of a missing dir', (h, p) => h.readdirSync(p('d/missing'))],
  ['rmdir an empty dir', (h, p) => (h.rmdirSync(p('d/e')), h.readdirSync(p('d')).sort())],
  ['created files get a fresh inode', (h, p) => { const before = h.lstatSync(p('d/f'), { throwIfNoEntry: false })!.ino; h.closeSync(h.openSync(p('d/new'), O_WRONLY | O_CREAT)); return h.lstatSync(p('d/new'), { throwIfNoEntry: false })!.ino !== before; }],
  ['isatty', (h, p) => h.isatty(h.openSync(p('d/f'), O_RDONLY))],
];

function run(h: HostFs, root: string): unknown[] {
  const fds = new Map<string, number>();
  const p = (rel: string): string => `${root}/${rel}`;
  return SCRIPT.map(([name, op]) => {
    try {
      const v = op(h, p, fds);
      return [name, v === undefined ? 'ok' : v];
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string') throw err;
      return [name, `error ${code}`];
    }
  });
}

describe('the in-memory file system', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-memfs-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('answers a script of the host calls exactly as node:fs does', () => {
    const onNode = run(nodeHostFs, tmp);
    const mem = new MemFs();
    mem.mkdirp('/root');
    const inMemory = run(mem, '/root');
    expect(inMemory).toEqual(onNode);
  });

  it('refuses changes to a read-only tree with EROFS', () => {
    const mem = new MemFs();
    const input = mem.dir(0o555, true);
    mem.attach(mem.root, 'in', input);
    mem.attach(input, 'f', mem.file(0o444, new TextEncoder().encode('x'), true));
    const codes = [
      () => mem.openSync('/in/f', O_WRONLY),
      () => mem.openSync('/in/g', O_WRONLY | O_CREAT),
      () => mem.mkdirSync('/in/d', 0o755),
      () => mem.unlinkSync('/in/f'),
      () => mem.renameSync('/in/f', '/g'),
      () => mem.symlinkSync('f', '/in/l'),
    ].map((f) => {
      try {
        f();
        return 'ok';
      } catch (err) {
        return (err as { code: string }).code;
      }
    });
    expect(codes).toEqual(['EROFS', 'EROFS', 'EROFS', 'EROFS', 'EROFS', 'EROFS']);
    expect(mem.readSync(mem.openSync('/in/f', O_RDONLY), new Uint8Array(1), 0, 1, 0)).toBe(1);
  });
});
