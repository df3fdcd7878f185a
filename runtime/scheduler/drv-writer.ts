// Writing an evaluation's `.drv` files. A large evaluation hands them, as they are instantiated,
// to a worker thread that writes them while evaluation goes on: creating 20,000 files (each `.drv`
// and its info) costs a second of system time, and evaluation leaves a core idle part of the time.
// A small one writes them at the end, on this thread, without starting a worker.
import { Worker } from 'node:worker_threads';
import { WpmError } from '../../util/index.js';
import { serializeDerivation, type Derivation } from '../../derivations/index.js';
import { addTempRootsSync, type LocalStore, type TextObject } from '../../store/index.js';
import { workerScript } from '../wasi/worker-url.js';

/** Below this many derivations, a worker's start costs more than the writes it would overlap. */
const WORKER_AFTER = 512;
const BATCH = 512;

/** What the writer's thread is sent: text objects and the `.drv` paths they must have. */
export interface DrvBatch {
  items: TextObject[];
  drvPaths: string[];
}

export interface WriterReply {
  error: { code: string; message: string };
}

export class DrvWriter {
  private pending: { drvPath: string; drv: Derivation }[] = [];
  private worker: Worker | undefined;
  private failure: WpmError | undefined;
  private finished: Promise<void> | undefined;

  constructor(private readonly store: LocalStore) {}

  add(drvPath: string, drv: Derivation): void {
    this.pending.push({ drvPath, drv });
    if (this.pending.length >= (this.worker ? BATCH : WORKER_AFTER)) this.send();
  }

  /** Every `.drv` added is in the store (or the first failure is thrown). */
  async close(): Promise<void> {
    try {
      if (this.worker === undefined) {
        this.write(this.pending.splice(0));
        return;
      }
      this.send();
      this.worker.postMessage('end'); // after the batches: the worker takes messages in order
      await this.finished;
      if (this.failure) throw this.failure;
    } finally {
      this.worker = undefined;
    }
  }

  /** Stop at once (evaluation failed): what was written stays, valid and garbage-collectable. */
  async abort(): Promise<void> {
    this.pending = [];
    await this.worker?.terminate();
  }

  private send(): void {
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    // Rooted by this thread: the worker's own temporary roots end with it.
    addTempRootsSync(this.store.layout, batch.map((b) => b.drvPath));
    this.worker ??= this.start();
    this.worker.postMessage({ items: batch.map(textObject), drvPaths: batch.map((b) => b.drvPath) } satisfies DrvBatch);
  }

  private start(): Worker {
    const { filename, options } = workerScript('runtime/scheduler/drv-writer-worker', { home: this.store.home });
    const worker = new Worker(filename, options);
    worker.on('message', (r: WriterReply) => {
      this.failure ??= new WpmError(r.error.code, r.error.message);
    });
    worker.on('error', (err) => {
      this.failure ??= new WpmError('ERR_STORE_IO', `cannot write .drv files: ${err.message}`, { cause: err });
    });
    this.finished = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    return worker;
  }

  private write(batch: { drvPath: string; drv: Derivation }[]): void {
    const written = this.store.addTexts(batch.map(textObject));
    written.forEach((p, k) => {
      if (p !== batch[k]!.drvPath) throw new WpmError('ERR_DRV_PATH_MISMATCH', `internal error: ${batch[k]!.drvPath} was stored as ${p}`);
    });
  }
}

function textObject({ drv }: { drv: Derivation }): TextObject {
  return { name: `${drv.name}.drv`, text: serializeDerivation(drv), references: [...drv.inputSrcs, ...Object.keys(drv.inputDrvs)] };
}
