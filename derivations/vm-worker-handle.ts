// The main thread's side of a VM in a worker (vm-worker.ts): it starts the worker, answers the
// store calls its VM makes (the EvalIO is the main thread's), keeps the chunks it hands back, and
// hears of the derivations it makes, in the order it made them.
import { MessageChannel, Worker } from 'node:worker_threads';
import { workerScript } from '../util/worker-script.js';
import type { Derivation } from './derivation.js';
import type { EvalIO, VmSetup } from './jsonnet-vm.js';
import type { ChunkControl, ChunkValues } from './package-set.js';
import { errorData, type FromWorker, type Made, type SyncReply, type ToWorker, type VmWorkerStart } from './vm-worker-protocol.js';

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
    const data: VmWorkerStart = { setup, control: control.buffer, sync: sync.buffer as SharedArrayBuffer, syncPort: workerSyncPort };
    const { filename, options } = workerScript('derivations/vm-worker', data, [workerSyncPort]);
    this.worker = new Worker(filename, options);
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
            // Through a promise from the start: a throw here would be an uncaught exception.
            const call = Promise.resolve().then(() => (m.op === 'addPath' ? io.addPath(...m.args) : io.addText(...m.args)));
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
            // Before it was told to go, the VM did nothing the first VM does not do too (its
            // native calls wait for the word), and the first VM reports the same failure itself.
            if (m.error !== undefined && this.went) fail();
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
