// One guest run in the current thread: builds the guest's world (namespace, preopens, stdio,
// clocks), instantiates the module against the syscall table and runs _start. hostRun and
// guestEnding are shared with reactor calls (reactor.ts) and components (component/run.ts), so
// every kind of run ends and is reported the same way. Runs inside a pool worker; it knows
// nothing of workers itself.

import { FIXED_TIME_NS, RIGHTS_DIR, RIGHTS_FILE } from './constants.js';
import { VirtualClock, type WasiContext } from './context.js';
import { GuestStopped, ProcExit, toErrno } from './errno.js';
import { FdTable } from './fd-table.js';
import { appendFlags, type HostFs } from './host-fs.js';
import { LogBudget } from './log-budget.js';
import { OutputBudget } from './output-budget.js';
import { DirFd } from './fds.js';
import { Inodes } from './inodes.js';
import { GuestMemory, encodeUtf8 } from './memory.js';
import { Prng } from './prng.js';
import { SinkFd, StdinFd } from './stdio-fds.js';
import { SYSCALLS } from './syscalls/table.js';
import { describeTrap, isTrap, type TrapInfo } from './trap.js';
import type { OutputSink, WasiRunOptions } from './types.js';
import { Namespace } from './vfs.js';

/** The module cannot be run as a WASI command at all. */
export class InvalidModule extends Error {
  override readonly name = 'InvalidModule';
}

export const STORE_DIR = '/wpm/store';
const WRITE_BUFFER_BYTES = 1024 * 1024;

export interface HostOutcome {
  exitCode: number | null;
  trap: TrapInfo | null;
  durationMs: number;
  /** Size of the guest's memory when it stopped. */
  memoryBytes: number;
  outputLimitHit: boolean;
  /** The guest wrote more than its log may hold (the log says where it was cut). */
  logLimitHit: boolean;
  /** The guest's memory grew past the limit (only seen for modules whose maximum could not be patched). */
  memoryLimitHit: boolean;
  /** A reactor call's result (reactor.ts), when the call returned. */
  value?: unknown;
}

/** How a guest's run ended: an exit status, a trap, or its memory outgrowing the limit. */
export type GuestEnding = Pick<HostOutcome, 'exitCode' | 'trap' | 'memoryLimitHit'>;

/** The entry point returned: exit status 0. */
export const RETURNED: GuestEnding = { exitCode: 0, trap: null, memoryLimitHit: false };

/**
 * How a guest's run ended, from what its entry point threw. Anything that is not the guest's own
 * ending (an exit, a trap, the memory limit) is the host's failure and is thrown on.
 */
export function guestEnding(err: unknown): GuestEnding {
  if (err instanceof ProcExit) return { exitCode: err.code, trap: null, memoryLimitHit: false };
  if (err instanceof GuestStopped) return { exitCode: null, trap: null, memoryLimitHit: err.reason === 'memory' };
  if (isTrap(err)) return { exitCode: null, trap: describeTrap(err as Error), memoryLimitHit: false };
  throw err;
}

/**
 * Run `body` with a fresh context for `opts` (command, reactor or component alike) and report its
 * ending with the run's time, memory and output budget. Every host fd the run opened is closed
 * whatever happens. `fs` holds the files behind the mounts (node-host-fs.ts in the CLI).
 */
export async function hostRun(
  opts: WasiRunOptions,
  body: (ctx: WasiContext) => Promise<GuestEnding & { value?: unknown }> | (GuestEnding & { value?: unknown }),
  fs: HostFs,
): Promise<HostOutcome> {
  const start = performance.now();
  const toClose: number[] = [];
  let ctx: WasiContext | null = null;
  try {
    ctx = createContext(opts, toClose, fs);
    const ending = await body(ctx);
    return { ...ending, durationMs: performance.now() - start, memoryBytes: ctx.mem.byteLength, outputLimitHit: ctx.output.exceeded, logLimitHit: ctx.log.exceeded };
  } finally {
    ctx?.fds.closeAll();
    for (const fd of toClose) fs.closeSync(fd);
  }
}

/** Stop the guest when its memory grows past the limit (modules whose maximum was not patched). */
export function watchMemoryLimit(ctx: WasiContext, opts: WasiRunOptions): void {
  const memLimit = opts.limits?.memoryBytes;
  if (memLimit === undefined) return;
  ctx.mem.onGrow = (bytes) => {
    if (bytes > memLimit) throw new GuestStopped('memory');
  };
}

/** The preopened directories, in fd order: "." first, then one per mount root. */
export function preopenPaths(opts: WasiRunOptions): string[] {
  const roots = new Set<string>();
  for (const m of [...opts.mounts, ...(opts.outputs ?? [])]) {
    roots.add(m.guest.startsWith(STORE_DIR + '/') ? STORE_DIR : m.guest);
  }
  return [...roots].sort();
}

function openSink(fs: HostFs, sink: OutputSink | undefined, stdFd: number, toClose: number[]): number | null {
  if (sink === undefined) return null;
  if (sink === 'inherit') return stdFd;
  const fd = fs.openSync(sink.file, appendFlags(fs));
  toClose.push(fd);
  return fd;
}

export function createContext(opts: WasiRunOptions, toClose: number[], fs: HostFs): WasiContext {
  const ns = new Namespace(opts.mounts, opts.outputs ?? [], fs);
  const fds = new FdTable();
  const ctx: WasiContext = {
    fs,
    mem: new GuestMemory(),
    fds,
    ns,
    inodes: new Inodes(),
    args: opts.args.map(encodeUtf8),
    env: Object.entries(opts.env).map(([k, v]) => encodeUtf8(`${k}=${v}`)),
    clock: new VirtualClock(opts.realtimeNs ?? FIXED_TIME_NS),
    random: new Prng(opts.seed),
    output: new OutputBudget(opts.limits?.outputBytes ?? Infinity),
    log: new LogBudget(opts.limits?.logBytes ?? Infinity),
    buffered: null,
    writeBuffer: new Uint8Array(WRITE_BUFFER_BYTES),
  };
  fds.add(new StdinFd(fs, opts.stdin ?? new Uint8Array(0), opts.stdinInherit ?? false));
  fds.add(new SinkFd(fs, openSink(fs, opts.stdout, 1, toClose)));
  fds.add(new SinkFd(fs, openSink(fs, opts.stderr, 2, toClose)));
  const cwd = opts.cwd ?? '/build';
  const inheriting = RIGHTS_DIR | RIGHTS_FILE;
  fds.add(new DirFd(ns.locate(cwd), RIGHTS_DIR, inheriting, '.'));
  for (const p of preopenPaths(opts)) fds.add(new DirFd(ns.locate(p), RIGHTS_DIR, inheriting, p));
  return ctx;
}

/** Calls that cannot observe a file's contents, so buffered writes may stay buffered. */
const KEEPS_WRITE_BUFFER = new Set(['fd_write', 'fd_seek', 'fd_tell', 'clock_time_get', 'random_get', 'args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'sched_yield']);

/** The import object: every syscall wrapped so a failure becomes an errno, never a crash. */
export function wasiImports(ctx: WasiContext): Record<string, (...args: never[]) => number> {
  const imports: Record<string, (...args: never[]) => number> = {};
  const mem = ctx.mem;
  for (const [name, fn] of Object.entries(SYSCALLS)) {
    const keepsBuffer = KEEPS_WRITE_BUFFER.has(name);
    imports[name] = (a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown, g?: unknown, h?: unknown, i?: unknown) => {
      try {
        mem.refresh();
        if (!keepsBuffer && ctx.buffered !== null) ctx.buffered.flush();
        return fn(ctx, a, b, c, d, e, f, g, h, i);
      } catch (err) {
        if (err instanceof ProcExit || err instanceof GuestStopped) throw err;
        return toErrno(err);
      }
    };
  }
  return imports;
}

export function runGuest(module: WebAssembly.Module, opts: WasiRunOptions, fs: HostFs): Promise<HostOutcome> {
  return hostRun(opts, (ctx) => {
    const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasiImports(ctx) });
    const memory = instance.exports.memory;
    if (!(memory instanceof WebAssembly.Memory)) throw new InvalidModule('the module exports no memory');
    watchMemoryLimit(ctx, opts);
    const startFn = instance.exports._start;
    if (typeof startFn !== 'function') throw new InvalidModule('the module exports no _start function (is it a WASI command?)');
    try {
      ctx.mem.attach(memory);
      startFn();
      return RETURNED;
    } catch (err) {
      return guestEnding(err);
    }
  }, fs);
}
