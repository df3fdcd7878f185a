// Pool worker: runs one guest at a time on request and reports how it ended.

import { parentPort } from 'node:worker_threads';
import { runGuest } from './host.js';
import type { WasiRunOptions } from './types.js';

export interface WorkerRequest {
  id: number;
  module: WebAssembly.Module;
  opts: WasiRunOptions;
}

parentPort!.on('message', (req: WorkerRequest) => {
  try {
    parentPort!.postMessage({ id: req.id, outcome: runGuest(req.module, req.opts) });
  } catch (err) {
    const e = err as Error;
    parentPort!.postMessage({ id: req.id, failure: { name: e?.name, message: e?.message ?? String(err), stack: e?.stack } });
  }
});
