// One component run in the current thread (a pool worker): the same context as a preview1
// guest, wpm's preview2 imports over it, the transpiled glue instantiated with them, then
// wasi:cli/run. How it ended is reported exactly like a module's run.

import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { GuestStopped, ProcExit } from '../errno.js';
import { createContext, type HostOutcome, wasiImports } from '../host.js';
import { describeTrap, isTrap, type TrapInfo } from '../trap.js';
import type { WasiContext } from '../context.js';
import type { WasiRunOptions } from '../types.js';
import { preview2Imports } from './imports.js';

/** A transpiled component ready to run: its glue's host path and compiled core modules. */
export interface ComponentRunnable {
  kind: 'component';
  /** Host path of the glue (component.mjs). */
  entry: string;
  cores: Record<string, WebAssembly.Module>;
}

interface Glue {
  instantiate(getCoreModule: (name: string) => WebAssembly.Module, imports: unknown): Record<string, { run?: () => void }>;
}

export async function runComponent(c: ComponentRunnable, opts: WasiRunOptions): Promise<HostOutcome> {
  const toClose: number[] = [];
  const start = performance.now();
  let ctx: WasiContext | null = null;
  let exitCode: number | null = null;
  let trap: TrapInfo | null = null;
  let memoryLimitHit = false;
  try {
    const glue = (await import(pathToFileURL(c.entry).href)) as Glue;
    ctx = createContext(opts, toClose);
    const imports = preview2Imports(ctx, wasiImports(ctx));
    try {
      const instance = glue.instantiate((name) => {
        const m = c.cores[name];
        if (m === undefined) throw new Error(`transpiled component has no core module ${name}`);
        return m;
      }, imports);
      const run = Object.entries(instance).find(([k]) => k.startsWith('wasi:cli/run@'))?.[1]?.run ?? instance.run?.run;
      if (typeof run !== 'function') throw Object.assign(new Error('the component exports no wasi:cli/run (is it a command?)'), { name: 'InvalidModule' });
      run();
      exitCode = 0;
    } catch (err) {
      const inner = unwrap(err);
      if (inner instanceof ProcExit) exitCode = inner.code;
      else if (inner instanceof GuestStopped) memoryLimitHit = true;
      else if (isTrap(inner)) trap = describeTrap(inner as Error);
      // wasi:cli/run returned err: jco throws ComponentError; that is exit status 1.
      else if ((inner as Error)?.name === 'ComponentError' || (inner as { payload?: unknown })?.payload !== undefined) exitCode = 1;
      else throw inner;
    }
    return { exitCode, trap, durationMs: performance.now() - start, memoryBytes: 0, outputLimitHit: ctx.output.exceeded, memoryLimitHit };
  } finally {
    ctx?.fds.closeAll();
    for (const fd of toClose) fs.closeSync(fd);
  }
}

/** jco may wrap what an import threw; look through `cause` for the original. */
function unwrap(err: unknown): unknown {
  let e = err;
  for (let i = 0; i < 5 && e instanceof Error && !(isTrap(e)) && e.cause !== undefined; i++) e = e.cause;
  return e;
}
