// One component run in the current thread (a pool worker): the same context as a preview1
// guest, wpm's preview2 imports over it, the transpiled glue instantiated with them, then
// wasi:cli/run. How it ended is reported exactly like a module's run.

import { pathToFileURL } from 'node:url';
import { guestEnding, hostRun, RETURNED, type HostOutcome, wasiImports } from '../host.js';
import { nodeHostFs } from '../node-host-fs.js';
import { isTrap } from '../trap.js';
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
  const glue = (await import(pathToFileURL(c.entry).href)) as Glue;
  const outcome = await hostRun(opts, (ctx) => {
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
      return RETURNED;
    } catch (err) {
      const inner = unwrap(err);
      // wasi:cli/run returned err: jco throws ComponentError; that is exit status 1.
      if ((inner as Error)?.name === 'ComponentError' || (inner as { payload?: unknown })?.payload !== undefined) return { ...RETURNED, exitCode: 1 };
      return guestEnding(inner);
    }
  }, nodeHostFs);
  // The guest's memories live inside jco's glue, out of the host's sight.
  return { ...outcome, memoryBytes: 0 };
}

/** jco may wrap what an import threw; look through `cause` for the original. */
function unwrap(err: unknown): unknown {
  let e = err;
  for (let i = 0; i < 5 && e instanceof Error && !(isTrap(e)) && e.cause !== undefined; i++) e = e.cause;
  return e;
}
