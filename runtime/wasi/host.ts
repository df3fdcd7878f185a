// One guest run, synchronously, in the current thread: builds the guest's world (namespace,
// preopens, stdio, clocks), instantiates the module against the syscall table and runs
// _start. Runs inside a pool worker; it knows nothing of workers itself.

import fs from 'node:fs';
import { FIXED_TIME_NS, RIGHTS_DIR } from './constants.js';
import { OutputBudget, VirtualClock, type WasiContext } from './context.js';
import { ProcExit, toErrno } from './errno.js';
import { FdTable } from './fd-table.js';
import { DirFd, SinkFd, StdinFd } from './fds.js';
import { Inodes } from './inodes.js';
import { GuestMemory, encodeUtf8 } from './memory.js';
import { Prng } from './prng.js';
import { SYSCALLS } from './syscalls/table.js';
import { describeTrap, isTrap, type TrapInfo } from './trap.js';
import type { OutputSink, WasiRunOptions } from './types.js';
import { Namespace } from './vfs.js';

export const STORE_DIR = '/wpm/store';

export interface HostOutcome {
  exitCode: number | null;
  trap: TrapInfo | null;
  durationMs: number;
  /** Size of the guest's memory when it stopped. */
  memoryBytes: number;
  outputLimitHit: boolean;
}

/** The preopened directories, in fd order: "." first, then one per mount root. */
export function preopenPaths(opts: WasiRunOptions): string[] {
  const roots = new Set<string>();
  for (const m of [...opts.mounts, ...(opts.outputs ?? [])]) {
    roots.add(m.guest.startsWith(STORE_DIR + '/') ? STORE_DIR : m.guest);
  }
  return [...roots].sort();
}

function openSink(sink: OutputSink | undefined, stdFd: number, toClose: number[]): number | null {
  if (sink === undefined) return null;
  if (sink === 'inherit') return stdFd;
  const fd = fs.openSync(sink.file, 'a');
  toClose.push(fd);
  return fd;
}

export function createContext(opts: WasiRunOptions, toClose: number[]): WasiContext {
  const ns = new Namespace(opts.mounts, opts.outputs ?? []);
  const fds = new FdTable();
  const ctx: WasiContext = {
    mem: new GuestMemory(),
    fds,
    ns,
    inodes: new Inodes(),
    args: opts.args.map(encodeUtf8),
    env: Object.entries(opts.env).map(([k, v]) => encodeUtf8(`${k}=${v}`)),
    clock: new VirtualClock(opts.realtimeNs ?? FIXED_TIME_NS),
    random: new Prng(opts.seed),
    output: new OutputBudget(opts.limits?.outputBytes ?? Infinity),
  };
  fds.add(new StdinFd(opts.stdin ?? new Uint8Array(0), opts.stdinInherit ?? false));
  fds.add(new SinkFd(openSink(opts.stdout, 1, toClose), 1n << 62n));
  fds.add(new SinkFd(openSink(opts.stderr, 2, toClose), (1n << 62n) + 1n));
  const cwd = opts.cwd ?? '/build';
  fds.add(new DirFd(ns.locate(cwd), RIGHTS_DIR, RIGHTS_DIR | 0x1ffffffn, '.'));
  for (const p of preopenPaths(opts)) fds.add(new DirFd(ns.locate(p), RIGHTS_DIR, RIGHTS_DIR | 0x1ffffffn, p));
  return ctx;
}

/** The import object: every syscall wrapped so a failure becomes an errno, never a crash. */
export function wasiImports(ctx: WasiContext): Record<string, (...args: never[]) => number> {
  const imports: Record<string, (...args: never[]) => number> = {};
  const mem = ctx.mem;
  for (const [name, fn] of Object.entries(SYSCALLS)) {
    imports[name] = (a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown, g?: unknown, h?: unknown, i?: unknown) => {
      try {
        mem.refresh();
        return fn(ctx, a, b, c, d, e, f, g, h, i);
      } catch (err) {
        if (err instanceof ProcExit) throw err;
        return toErrno(err);
      }
    };
  }
  return imports;
}

export function runGuest(module: WebAssembly.Module, opts: WasiRunOptions): HostOutcome {
  const toClose: number[] = [];
  const start = performance.now();
  let ctx: WasiContext | null = null;
  let exitCode: number | null = null;
  let trap: TrapInfo | null = null;
  try {
    ctx = createContext(opts, toClose);
    const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasiImports(ctx) });
    const memory = instance.exports.memory;
    if (!(memory instanceof WebAssembly.Memory)) throw new Error('the module exports no memory');
    ctx.mem.attach(memory);
    const startFn = instance.exports._start;
    if (typeof startFn !== 'function') throw new Error('the module exports no _start (is it a WASI command?)');
    try {
      startFn();
      exitCode = 0;
    } catch (err) {
      if (err instanceof ProcExit) exitCode = err.code;
      else if (isTrap(err)) trap = describeTrap(err as Error);
      else throw err;
    }
    return {
      exitCode,
      trap,
      durationMs: performance.now() - start,
      memoryBytes: ctx.mem.byteLength,
      outputLimitHit: ctx.output.exceeded,
    };
  } finally {
    ctx?.fds.closeAll();
    for (const fd of toClose) fs.closeSync(fd);
  }
}
