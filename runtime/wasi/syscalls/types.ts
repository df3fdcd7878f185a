// The shape of a system call: the run's context and the raw wasm arguments (i64 as bigint),
// returning an errno. Apart from table.ts so the call files and the table do not import each other.

import type { WasiContext } from '../context.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Syscall = (ctx: WasiContext, ...args: any[]) => number;
export type Syscalls = Record<string, Syscall>;
