// Running an installed or built program with the real stdio: what `wpm run` and a profile's
// launchers do once they know which program, with which directories.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { LocalStore } from '../store/index.js';
import { parseStoreRef } from '../store/format/index.js';
import { WpmError } from '../util/index.js';
import { WasiPool, runInThisThread, type Mount, type WasiResult, type WasiRunOptions } from '../runtime/wasi/index.js';
// runnable.ts itself, not the builders' index, which brings every builder and derivations/ with it.
import { runnableFor } from '../runtime/builders/runnable.js';
import { recordCodeCacheUse, useCodeCache } from './code-cache.js';

export interface ProgramRun {
  /** The program's store path (a .wasm module or component inside a package). */
  guest: string;
  /** argv[0]. */
  name: string;
  args: string[];
  /** Host directories it may use, besides its closure (read-only). */
  dirs: Mount[];
  /** Its working directory inside its world. */
  cwd: string;
}

/**
 * Preview1 programs up to this size run in this thread (runtime/wasi/run-here.ts): a worker's
 * start would be a third of a small program's run, while a large one (clang, 75 MB) takes far
 * longer to load than a worker to start, and gets a worker's deep stack.
 */
const IN_THREAD_MAX_BYTES = 16 * 1024 * 1024;

/** Run the program, from cached compiled code where there is some; resolves with its exit code. */
export async function runProgram(store: LocalStore, run: ProgramRun): Promise<number> {
  const stackMb = stackSizeSetting();
  const host = store.toHost(run.guest);
  const inThread = stackMb === undefined && fs.statSync(host).size <= IN_THREAD_MAX_BYTES;
  let pool: WasiPool | undefined;
  const newPool = () => new WasiPool({ size: 1, ...(stackMb === undefined ? {} : { stackSizeMb: stackMb }) });
  if (!inThread) {
    // The worker starts first: its start-up overlaps finding and loading the program.
    pool = newPool();
    pool.prestart();
  }
  let result: WasiResult;
  try {
    useCodeCache(store);
    const closure = store.closure([parseStoreRef(run.guest).storePath]);
    const module = await runnableFor(store, fs.readFileSync(host), run.guest); // module or component (issue 9)
    const opts: WasiRunOptions = {
      args: [run.name, ...run.args],
      // HOME as in a build step: set (programs such as the sqlite3 shell warn without one) but
      // nowhere, since the program sees no home directory of the host.
      env: { HOME: '/homeless' },
      mounts: [...closure.map((p) => ({ guest: p, host: store.toHost(p), writable: false })), ...run.dirs],
      cwd: run.cwd,
      seed: crypto.randomBytes(32),
      realtimeNs: BigInt(Date.now()) * 1_000_000n,
      stdout: 'inherit',
      stderr: 'inherit',
      stdinInherit: true,
    };
    result = inThread && module instanceof WebAssembly.Module
      ? await runInThisThread(module, opts, `${run.name} ran in wpm's own thread, whose stack is about 1 MB; ${STACK_SETTING}=256 runs it in a thread with a 256 MB stack`)
      : await (pool ??= newPool()).run(module, opts);
  } finally {
    await pool?.close();
  }
  recordCodeCacheUse();
  return result.exitCode;
}

/** Runs a program in a worker thread with this stack (MiB), whatever its size. */
const STACK_SETTING = 'WPM_RUN_STACK_MB';

function stackSizeSetting(): number | undefined {
  const value = process.env[STACK_SETTING];
  if (value === undefined || value === '') return undefined;
  const mb = Number(value);
  if (!Number.isInteger(mb) || mb < 1 || mb > 4096) {
    throw new WpmError('ERR_USAGE', `${STACK_SETTING}=${value}: expected a stack size in MiB, from 1 to 4096`);
  }
  return mb;
}
