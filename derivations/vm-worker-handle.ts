// The main thread's side of a VM in a worker (vm-worker.ts): it starts the worker, answers the
// store calls its VM makes (the EvalIO is the main thread's), keeps the chunks it hands back, and
// hears of the derivations it makes, in the order it made them.
import { MessageChannel, Worker } from 'node:worker_threads';
import { WpmError, isWpmError } from '../util/index.js';
import { workerScript } from '../util/worker-script.js';
import type { Derivation } from './derivation.js';
import type { EvalIO, VmSetup } from './jsonnet-vm.js';
import type { ChunkControl, ChunkValues } from './package-set.js';

/** What a worker is started with. */
export interface VmWorkerStart {
  setup: VmSetup;
  control: SharedArrayBuffer;
  /** [state]: the main thread sets it to 1, and notifies, once an isValidPath answer is on `syncPort`. */
  sync: SharedArrayBuffer;
}

export interface ErrorData {
  code: string;
  message: string;
  hint?: string;
}

/** Derivations made since the last message, by `.drv` path, in the order they were made. */
export type Made = [string, Derivation][];

export type FromWorker =
  | { kind: 'io'; id: number; op: 'addPath'; args: Parameters<EvalIO['addPath']> }
  | { kind: 'io'; id: number; op: 'addText'; args: Parameters<EvalIO['addText']> }
  | { kind: 'valid'; path: string }
  | { kind: 'chunk'; from: number; json: string; made: Made }
  | { kind: 'end'; made: Made; went: boolean; error?: ErrorData };

export type ToWorker = { kind: 'go'; go: boolean } | { kind: 'io'; id: number; result?: string; error?: ErrorData };

export type SyncReply = { valid: boolean } | { error: ErrorData };

export function errorData(err: unknown): ErrorData {
  if (isWpmError(err)) return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  return { code: 'ERR_EVAL', message: String((err as Error)?.message ?? err) };
}

export function fromErrorData(e: ErrorData): WpmError {
  return new WpmError(e.code, e.message, e.hint ? { hint: e.hint } : {});
}

export interface VmWorkerEnd {
  /** The VM or the worker failed after it was told to go (a failure before that is no VM's: see evaluator.ts). */
  failed: boolean;
}

export class VmWorker {
  /** Settles once the worker has ended; never rejects. */
  readonly ended: Promise<VmWorkerEnd>;
  private readonly worker: Worker;
  private told = false;
  private went = false;

  /**
   * @param onMade told of the worker's derivations, in order; a throw fails the evaluation
   */
  constructor(setup: VmSetup, control: ChunkControl, io: EvalIO, values: ChunkValues, onMade: (drvPath: string, drv: Derivation) => void) {
    const sync = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const { port1: syncPort, port2: workerSyncPort } = new MessageChannel();
    const data: VmWorkerStart = { setup, control: control.buffer, sync: sync.buffer as SharedArrayBuffer };
    const { filename, options } = workerScript('derivations/vm-worker', data);
    options.workerData.syncPort = workerSyncPort;
    this.worker = new Worker(filename, { ...options, transferList: [workerSyncPort] });
    const post = (m: ToWorker) => this.worker.postMessage(m);
    let failed = false;
    const fail = () => {
      failed = true;
      control.fail();
    };
    const take = (made: Made) => {
      try {
        for (const [drvPath, drv] of made) onMade(drvPath, drv);
      } catch {
        // As for the first VM's derivations (see guard in jsonnet-vm.ts): the evaluation fails,
        // and one VM evaluates it again, telling of every derivation.
        fail();
      }
    };
    this.ended = new Promise<VmWorkerEnd>((resolve) => {
      let ended = false;
      this.worker.on('message', (m: FromWorker) => {
        switch (m.kind) {
          case 'io': {
            const call = m.op === 'addPath' ? io.addPath(...m.args) : io.addText(...m.args);
            call.then(
              (result) => post({ kind: 'io', id: m.id, result }),
              (err: unknown) => post({ kind: 'io', id: m.id, error: errorData(err) }),
            );
            return;
          }
          case 'valid': {
            let reply: SyncReply;
            try {
              reply = { valid: io.isValidPath(m.path) };
            } catch (err) {
              reply = { error: errorData(err) };
            }
            syncPort.postMessage(reply);
            Atomics.store(sync, 0, 1);
            Atomics.notify(sync, 0);
            return;
          }
          case 'chunk':
            values.add(m.from, m.json);
            take(m.made);
            return;
          case 'end':
            ended = true;
            take(m.made);
            // Before it went, the VM only imported the file, as the first VM does too, which
            // reports the same failure itself.
            if (m.error !== undefined && m.went) fail();
            return;
        }
      });
      this.worker.on('error', () => {
        if (this.went) fail();
      });
      this.worker.on('exit', () => {
        syncPort.close();
        if (!ended && this.went) fail();
        resolve({ failed });
      });
    });
  }

  /** Tell the VM whether the value is a package set to take chunks of; only the first word counts. */
  go(go: boolean): void {
    if (this.told) return;
    this.told = true;
    this.went = go;
    this.worker.postMessage({ kind: 'go', go } satisfies ToWorker);
  }
}
