// A pool of worker threads running guests. A worker runs one guest at a time; a worker that
// timed out, was aborted or crashed is terminated and replaced by a fresh one on demand.

import fs from 'node:fs';
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { WpmError } from '../../util/errors.js';
import type { HostOutcome } from './host.js';
import { withMemoryLimit } from './module.js';
import { hostFailure, runResult } from './outcome.js';
import type { WasiResult, WasiRunOptions } from './types.js';
import { DEFAULT_STACK_MB, newPoolWorker, type WorkerScript } from './pool-worker.js';
import type { ComponentRunnable } from './component/run.js';
import type { ReactorCall } from './reactor.js';


interface Job {
  id: number;
  module: WebAssembly.Module | ComponentRunnable | ReactorCall;
  opts: WasiRunOptions;
  resolve: (r: WasiResult) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  timer: NodeJS.Timeout | null;
  /** Watches the job's log files for silence (limits.silentMs). */
  silence: NodeJS.Timeout | null;
}

/** How often a silent guest's log files are looked at. */
const SILENCE_CHECK_MS = 1000;

export interface WasiPoolOptions {
  /** Workers running at once; default os.availableParallelism(). */
  size?: number;
  /** Stack of each worker thread; clang recurses deeply on large inputs. Default 256. */
  stackSizeMb?: number;
  /** The worker's script, for a bundle that is its own worker (the remote step runner); default worker.ts. */
  workerScript?: WorkerScript;
}

export class WasiPool {
  private readonly size: number;
  private readonly stackSizeMb: number;
  private readonly script: WasiPoolOptions['workerScript'];
  private slots = new Set<Slot>();
  private queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(opts: WasiPoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? os.availableParallelism());
    this.stackSizeMb = opts.stackSizeMb ?? DEFAULT_STACK_MB;
    this.script = opts.workerScript;
  }

  /**
   * Run a preview1 module, a transpiled WASI 0.2 component (component/run.ts), or a call into a
   * reactor (reactor.ts). A closed pool, or a memory limit below the module's initial memory,
   * rejects like any failed run.
   */
  async run(module: WebAssembly.Module | ComponentRunnable | ReactorCall, opts: WasiRunOptions): Promise<WasiResult> {
    if (this.closed) throw new WpmError('ERR_WASI_ABORTED', 'the WASI pool is closed');
    const limited = withMemoryLimit(module, opts);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, module: limited, opts, resolve, reject });
      this.pump();
    });
  }

  /**
   * Start a worker now, so that its start-up (Node's bootstrap of a thread, then the host's
   * modules: about 0.1 s) overlaps what the caller does before its first run.
   */
  prestart(): void {
    if (!this.closed && this.slots.size < this.size) this.spawn();
  }

  /** Ctrl-C: stop every running guest now; running and queued runs reject with ERR_WASI_ABORTED. */
  abortAll(): void {
    const queued = this.queue.splice(0);
    for (const job of queued) job.reject(new WpmError('ERR_WASI_ABORTED', 'aborted before it started'));
    for (const slot of [...this.slots]) {
      if (slot.job === null) continue;
      const job = slot.job;
      this.retire(slot);
      job.reject(new WpmError('ERR_WASI_ABORTED', `aborted: ${job.opts.args[0] ?? 'guest'}`));
    }
  }

  /** Finish what is queued and running, then stop the workers. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.queue.length > 0 || [...this.slots].some((s) => s.job !== null)) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all([...this.slots].map((s) => s.worker.terminate()));
    this.slots.clear();
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = [...this.slots].find((s) => s.job === null);
      if (slot === undefined) {
        if (this.slots.size >= this.size) return;
        slot = this.spawn();
      }
      this.start(slot, this.queue.shift()!);
    }
  }

  private spawn(): Slot {
    const worker = newPoolWorker(this.stackSizeMb, this.script);
    const slot: Slot = { worker, job: null, timer: null, silence: null };
    worker.unref();
    worker.on('message', (msg: { id: number; outcome?: HostOutcome; failure?: { name?: string; message: string; stack?: string } }) => {
      const job = slot.job;
      if (job === null || job.id !== msg.id) return;
      this.finish(slot);
      if (msg.failure) {
        job.reject(hostFailure(msg.failure, job.module));
      } else {
        settle(job, msg.outcome!);
      }
      this.pump();
    });
    worker.on('error', (err) => {
      const job = slot.job;
      this.retire(slot);
      job?.reject(new WpmError('ERR_WASI_HOST', `the WASI worker crashed: ${err.message}`, { cause: err }));
      this.pump();
    });
    worker.on('exit', () => {
      if (!this.slots.has(slot)) return;
      const job = slot.job;
      this.retire(slot);
      job?.reject(new WpmError('ERR_WASI_HOST', 'the WASI worker exited unexpectedly'));
      this.pump();
    });
    this.slots.add(slot);
    return slot;
  }

  private start(slot: Slot, job: Job): void {
    slot.job = job;
    slot.worker.ref();
    const timeoutMs = job.opts.limits?.timeoutMs;
    if (timeoutMs !== undefined) {
      slot.timer = setTimeout(() => {
        if (slot.job !== job) return;
        this.retire(slot);
        job.reject(new WpmError('ERR_WASI_TIMEOUT', `${job.opts.args[0] ?? 'guest'} exceeded the time limit of ${timeoutMs} ms`, {
          hint: 'raise limits.timeoutMs if the step is just slow',
        }));
        this.pump();
      }, timeoutMs);
    }
    this.watchSilence(slot, job);
    slot.worker.postMessage({ id: job.id, module: job.module, opts: job.opts });
  }

  /**
   * A guest that writes nothing to its log files for limits.silentMs is stopped. Their sizes are
   * looked at from this thread now and then: the guest's writes reach the files directly.
   */
  private watchSilence(slot: Slot, job: Job): void {
    const silentMs = job.opts.limits?.silentMs;
    const files = [job.opts.stdout, job.opts.stderr].flatMap((s) => (typeof s === 'object' ? [s.file] : []));
    if (silentMs === undefined || files.length === 0) return;
    const size = () => files.reduce((n, f) => n + (fs.statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0);
    let last = size();
    let lastChange = Date.now();
    slot.silence = setInterval(() => {
      if (slot.job !== job) return;
      const now = size();
      if (now !== last) {
        last = now;
        lastChange = Date.now();
      } else if (Date.now() - lastChange >= silentMs) {
        this.retire(slot);
        job.reject(new WpmError('ERR_WASI_SILENT', `${job.opts.args[0] ?? 'guest'} wrote nothing for ${silentMs} ms, the silence limit`, {
          hint: 'raise limits.silentMs if the step is just quiet',
        }));
        this.pump();
      }
    }, Math.min(SILENCE_CHECK_MS, silentMs));
  }

  private finish(slot: Slot): void {
    if (slot.timer !== null) clearTimeout(slot.timer);
    if (slot.silence !== null) clearInterval(slot.silence);
    slot.timer = null;
    slot.silence = null;
    slot.job = null;
    slot.worker.unref();
  }

  /** Take a worker out of service for good (it may be in the middle of a guest). */
  private retire(slot: Slot): void {
    this.finish(slot);
    this.slots.delete(slot);
    void slot.worker.terminate();
  }
}

function settle(job: Job, out: HostOutcome): void {
  let result: WasiResult;
  try {
    result = runResult(out, job.opts);
  } catch (err) {
    job.reject(err as Error);
    return;
  }
  job.resolve(result);
}
