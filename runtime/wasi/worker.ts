// Pool worker: runs one guest at a time on request and reports how it ended.

import { parentPort } from 'node:worker_threads';
import { runGuest } from './host.js';
import { nodeHostFs } from './node-host-fs.js';
import { runComponent, type ComponentRunnable } from './component/run.js';
import { runReactor, type ReactorCall } from './reactor.js';
import type { WasiRunOptions } from './types.js';

export interface WorkerRequest {
  id: number;
  module: WebAssembly.Module | ComponentRunnable | ReactorCall;
  opts: WasiRunOptions;
}

parentPort!.on('message', async (req: WorkerRequest) => {
  try {
    const outcome = req.module instanceof WebAssembly.Module
      ? await runGuest(req.module, req.opts, nodeHostFs)
      : req.module.kind === 'reactor' ? await runReactor(req.module, req.opts) : await runComponent(req.module, req.opts);
    parentPort!.postMessage({ id: req.id, outcome });
  } catch (err) {
    const e = err as Error;
    parentPort!.postMessage({ id: req.id, failure: { name: e?.name, message: e?.message ?? String(err), stack: e?.stack } });
  }
});
