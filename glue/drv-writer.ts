// Writing an evaluation's `.drv` files. A large evaluation hands them, as they are instantiated,
// to a worker thread that writes them while evaluation goes on: creating 20,000 files (each `.drv`
// and its info) costs a second of system time, and evaluation leaves a core idle part of the time.
// A small one, or a re-evaluation that finds its `.drv` files in the store, writes at the end on
// this thread without starting a worker.
import { Worker } from 'node:worker_threads';
import { WpmError, isErrorCode } from '../util/index.js';
import { serializeDerivation, type Derivation } from '../derivations/index.js';
import type { LocalStore, TextObject } from '../store/index.js';
import { workerScript } from '../util/worker-script.js';

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
  /** Made, not yet looked up in the store. */
  private unchecked: Made[] = [];
  /** Not in the store: to write. */
  private missing: Made[] = [];
  private worker: Worker | undefined;
  private failure: WpmError | undefined;
  private finished: Promise<void> | undefined;

  constructor(private readonly store: LocalStore) {}

  add(drvPath: string, drv: Derivation): void {
    this.unchecked.push({ drvPath, drv });
    if (this.unchecked.length >= BATCH) this.check();
  }

  /** Every `.drv` added is in the store (or the first failure is thrown). */
  async close(): Promise<void> {
    this.check();
    if (this.worker === undefined) {
      this.write(this.missing.splice(0));
      return;
    }
    this.send();
    this.worker.postMessage('end'); // after the batches: the worker takes messages in order
    await this.finished;
    this.worker = undefined;
    if (this.failure) throw this.failure;
  }

  /** Stop at once (evaluation failed): what was written stays, valid and garbage-collectable. */
  async abort(): Promise<void> {
    this.unchecked = [];
    this.missing = [];
    await this.worker?.terminate();
  }

  /**
   * Root a batch and keep those not in the store yet (one write of roots and one look at the GC
   * lock for the batch). Most of a re-evaluation's derivations are there already, and then no
   * worker starts at all.
   */
  private check(): void {
    const batch = this.unchecked.splice(0);
    const valid = this.store.areValid(batch.map((b) => b.drvPath));
    this.missing.push(...batch.filter((_, k) => !valid[k]));
    if (this.worker !== undefined || this.missing.length >= WORKER_AFTER) this.send();
  }

  private send(): void {
    const batch = this.missing.splice(0);
    if (batch.length === 0) return;
    this.worker ??= this.start();
    this.worker.postMessage({ items: batch.map(textObject), drvPaths: batch.map((b) => b.drvPath) } satisfies DrvBatch);
  }

  private start(): Worker {
    const { filename, options } = workerScript('glue/drv-writer-worker', { home: this.store.home });
    const worker = new Worker(filename, options);
    worker.on('message', (r: WriterReply) => {
      this.failure ??= new WpmError(isErrorCode(r.error.code) ? r.error.code : 'ERR_STORE_IO', r.error.message);
    });
    worker.on('error', (err) => {
      this.failure ??= new WpmError('ERR_STORE_IO', `cannot write .drv files: ${err.message}`, { cause: err });
    });
    this.finished = new Promise<void>((resolve) =>
      worker.once('exit', (code) => {
        if (code !== 0) this.failure ??= new WpmError('ERR_STORE_IO', `cannot write .drv files: the writer thread exited with code ${code}`);
        resolve();
      }),
    );
    return worker;
  }

  private write(batch: Made[]): void {
    addDrvTexts(this.store, { items: batch.map(textObject), drvPaths: batch.map((b) => b.drvPath) });
  }
}

/**
 * Add a batch's `.drv` files (on either thread), checking each lands at the path instantiation gave
 * it. `check` has rooted them all already.
 */
export function addDrvTexts(store: LocalStore, batch: DrvBatch): void {
  store.addTexts(batch.items, { rooted: true }).forEach((p, k) => {
    if (p !== batch.drvPaths[k]) throw new WpmError('ERR_DRV_PATH_MISMATCH', `internal error: ${batch.drvPaths[k]} was stored as ${p}`);
  });
}

interface Made {
  drvPath: string;
  drv: Derivation;
}

function textObject({ drv }: Made): TextObject {
  return { name: `${drv.name}.drv`, text: serializeDerivation(drv), references: [...drv.inputSrcs, ...Object.keys(drv.inputDrvs)] };
}
