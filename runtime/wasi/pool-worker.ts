// A pool's worker thread: the host's script in a thread of its own, with a stack large enough for
// deeply recursing guests (clang on large inputs) and none of the host's environment.
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
