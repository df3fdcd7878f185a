// Pool workers, and one started before its pool exists. `wpm run` and launchers start a worker
// as their first act, so that Node's bootstrap of the thread and the host's modules (0.1–0.2 s)
// overlap the CLI loading its own modules instead of following them; the first pool to need a
// worker takes it.
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { workerScript } from '../../util/worker-script.js';

export const DEFAULT_STACK_MB = 256;

export type WorkerScript = { filename: string | URL; options?: WorkerOptions };

export function newPoolWorker(stackSizeMb: number, script: WorkerScript = workerScript('runtime/wasi/worker')): Worker {
  const { filename, options = {} } = script;
  return new Worker(filename, {
    ...options,
    resourceLimits: { stackSizeMb },
    // Guests never see the host's environment; the worker itself needs none either.
    env: {},
    stdout: false,
    stderr: false,
  });
}

let early: { worker: Worker; stackSizeMb: number; failed: boolean } | undefined;

/** Start the worker the next pool will take. It does not keep the process alive. */
export function startEarlyWorker(stackSizeMb = DEFAULT_STACK_MB): void {
  if (early) return;
  const started = { worker: newPoolWorker(stackSizeMb), stackSizeMb, failed: false };
  started.worker.unref();
  // Until a pool takes it, a failure is remembered, not thrown: the pool then starts another.
  started.worker.once('error', () => (started.failed = true));
  started.worker.once('exit', () => (started.failed = true));
  early = started;
}

/** The early worker, when one was started with this stack size and is alive; taken once. */
export function takeEarlyWorker(stackSizeMb: number): Worker | undefined {
  const e = early;
  if (!e || e.stackSizeMb !== stackSizeMb) return undefined;
  early = undefined;
  e.worker.removeAllListeners();
  if (e.failed) {
    void e.worker.terminate();
    return undefined;
  }
  return e.worker;
}
