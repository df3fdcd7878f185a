// The import object a transpiled component is instantiated with: wpm's own wasi:cli,
// wasi:io, wasi:filesystem, wasi:clocks and wasi:random, all over one preview1 context.

import { CLOCK, FILETYPE } from '../constants.js';
import type { WasiContext } from '../context.js';
import { ProcExit } from '../errno.js';
import { P1Bridge, DATA, OUT } from './bridge.js';
import { Descriptor, DirectoryEntryStream, datetime, filesystemErrorCode, preopens } from './filesystem.js';
import { InputStream, IoError, OutputStream, Pollable, poll } from './streams.js';

/** Interfaces wpm provides (names as jco lists them, without versions). */
export const PROVIDED_INTERFACES = [
  'wasi:cli/environment', 'wasi:cli/exit', 'wasi:cli/stdin', 'wasi:cli/stdout', 'wasi:cli/stderr',
  'wasi:cli/terminal-input', 'wasi:cli/terminal-output', 'wasi:cli/terminal-stdin',
  'wasi:cli/terminal-stdout', 'wasi:cli/terminal-stderr', 'wasi:clocks/wall-clock',
  'wasi:clocks/monotonic-clock', 'wasi:filesystem/types', 'wasi:filesystem/preopens',
  'wasi:io/error', 'wasi:io/poll', 'wasi:io/streams', 'wasi:random/random',
  'wasi:random/insecure', 'wasi:random/insecure-seed',
] as const;

/** Imports of a component that wpm does not provide, e.g. `wasi:sockets/tcp`. */
export function missingImports(imports: string[]): string[] {
  const have = new Set<string>(PROVIDED_INTERFACES);
  return imports.filter((i) => !have.has(i.replace(/@[^/]*$/, '')));
}

class TerminalInput {}
class TerminalOutput {}

export function preview2Imports(ctx: WasiContext, calls: Record<string, (...args: never[]) => number>): Record<string, Record<string, unknown>> {
  const b = new P1Bridge(ctx, calls);
  const env = ctx.env.map((e) => {
    const s = Buffer.from(e).toString('utf8');
    const i = s.indexOf('=');
    return [s.slice(0, i), s.slice(i + 1)] as [string, string];
  });
  const args = ctx.args.map((a) => Buffer.from(a).toString('utf8'));
  const isTty = (fd: number): boolean => {
    b.call('fd_fdstat_get', fd, OUT);
    return b.dv.getUint8(OUT) === FILETYPE.CHARACTER_DEVICE;
  };
  const clockNow = (id: number): bigint => {
    b.call('clock_time_get', id, 1n, OUT);
    return b.u64(OUT);
  };
  const clockRes = (id: number): bigint => {
    b.call('clock_res_get', id, OUT);
    return b.u64(OUT);
  };
  const randomBytes = (len: bigint): Uint8Array => {
    const n = Number(len);
    b.ensure(DATA + n);
    b.call('random_get', DATA, n);
    return b.u8.slice(DATA, DATA + n);
  };
  const randomU64 = (): bigint => new DataView(randomBytes(8n).buffer).getBigUint64(0, true);

  return {
    'wasi:cli/environment': {
      getEnvironment: () => env,
      getArguments: () => args,
      initialCwd: () => undefined,
    },
    'wasi:cli/exit': {
      exit: (status: { tag: 'ok' | 'err' }) => {
        throw new ProcExit(status.tag === 'ok' ? 0 : 1);
      },
      exitWithCode: (code: number) => {
        throw new ProcExit(code);
      },
    },
    'wasi:cli/stdin': { getStdin: () => new InputStream(b, { fd: 0, offset: null }) },
    'wasi:cli/stdout': { getStdout: () => new OutputStream(b, { fd: 1, offset: null }) },
    'wasi:cli/stderr': { getStderr: () => new OutputStream(b, { fd: 2, offset: null }) },
    'wasi:cli/terminal-input': { TerminalInput },
    'wasi:cli/terminal-output': { TerminalOutput },
    // A build step's stdio is never a terminal; `wpm run`'s is when the host's is (as preview1).
    'wasi:cli/terminal-stdin': { getTerminalStdin: () => (isTty(0) ? new TerminalInput() : undefined) },
    'wasi:cli/terminal-stdout': { getTerminalStdout: () => (isTty(1) ? new TerminalOutput() : undefined) },
    'wasi:cli/terminal-stderr': { getTerminalStderr: () => (isTty(2) ? new TerminalOutput() : undefined) },
    'wasi:clocks/wall-clock': {
      now: () => datetime(clockNow(CLOCK.REALTIME)),
      resolution: () => datetime(clockRes(CLOCK.REALTIME)),
    },
    'wasi:clocks/monotonic-clock': {
      now: () => clockNow(CLOCK.MONOTONIC),
      resolution: () => clockRes(CLOCK.MONOTONIC),
      subscribeInstant: (when: bigint) => new Pollable(ctx.clock, when),
      subscribeDuration: (d: bigint) => new Pollable(ctx.clock, ctx.clock.peek() + d),
    },
    'wasi:filesystem/types': { Descriptor, DirectoryEntryStream, filesystemErrorCode },
    'wasi:filesystem/preopens': { getDirectories: () => preopens(b) },
    'wasi:io/error': { Error: IoError },
    'wasi:io/poll': { Pollable, poll },
    'wasi:io/streams': { InputStream, OutputStream },
    'wasi:random/random': { getRandomBytes: randomBytes, getRandomU64: randomU64 },
    'wasi:random/insecure': { getInsecureRandomBytes: randomBytes, getInsecureRandomU64: randomU64 },
    'wasi:random/insecure-seed': { insecureSeed: () => [randomU64(), randomU64()] },
  };
}
