// Running an installed or built program with the real stdio: what `wpm run` and a profile's
// launchers do once they know which program, with which directories.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { LocalStore } from '../store/index.js';
import { parseStoreRef } from '../store/format/index.js';
import { WasiPool, type Mount } from '../runtime/wasi/index.js';
import { runnableFor } from '../runtime/builders/index.js';
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

/** Run the program, from cached compiled code where there is some; resolves with its exit code. */
export async function runProgram(store: LocalStore, run: ProgramRun): Promise<number> {
  // The worker starts first: its start-up overlaps finding and loading the program.
  const pool = new WasiPool({ size: 1 });
  pool.prestart();
  let exitCode: number;
  try {
    useCodeCache(store);
    const closure = store.closure([parseStoreRef(run.guest).storePath]);
    const module = await runnableFor(store, fs.readFileSync(store.toHost(run.guest)), run.guest); // module or component (issue 9)
    const result = await pool.run(module, {
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
    });
    exitCode = result.exitCode;
  } finally {
    await pool.close();
  }
  recordCodeCacheUse();
  return exitCode;
}
