// A small pool of step Web Workers (web/step-worker.ts, bundled as step-worker.bundle.js): each
// runs one step at a time, so the pool's size is how many steps the page runs at once. A worker
// keeps each builder it has compiled (clang's 75 MB module is compiled once per worker), so the
// pool sends a builder's bytes only to a worker that has not had them yet. A worker also keeps
// the NARs of its previous step's inputs, so the toolchain shared by a build's steps is posted to
// it once, not once per step.
// DOM types for these browser APIs, whichever tsconfig compiles this file.
/// <reference lib="dom" />
import { WpmError } from '../../util/errors.js';
import type { Derivation } from '../../derivations/derivation.js';
import type { WasiLimits } from '../../runtime/wasi/types.js';
import type { StepReply, StepRequest } from '../step-worker.js';

export interface PoolStep {
  drvPath: string;
  drv: Derivation;
  /** drv.builder's bytes, read only if the worker the step lands on has not had them. */
  builder: () => Promise<Uint8Array>;
  /** The step's input closure. */
  inputs: readonly string[];
  /** An input's NAR, read only if the worker does not keep it from its previous step. */
  nar: (storePath: string) => Promise<Uint8Array>;
  /** The step's limits, as the CLI gives them (runtime/builders/limits.ts). */
  limits?: WasiLimits;
}

interface Slot {
  worker: Worker;
  builders: Set<string>;
  /** The input paths of the worker's previous step, whose NARs it keeps (web/step-worker.ts). */
  kept: Set<string>;
  busy: boolean;
}

export class StepPool {
  readonly size: number;
  readonly #slots: Slot[] = [];
  readonly #idle: (() => void)[] = [];
  readonly #url: URL;
  #next = 0;

  /** `url`: the worker bundle (default: step-worker.bundle.js beside the page's script). */
  constructor(size = 2, url = new URL('./step-worker.bundle.js', import.meta.url)) {
    this.size = Math.max(1, size);
    this.#url = url;
  }

  /** Runs a step on the first free worker (starting one if fewer than `size` exist). */
  async run(step: PoolStep): Promise<StepReply> {
    const slot = await this.#take();
    try {
      const builder = slot.builders.has(step.drv.builder) ? undefined : await step.builder();
      const inputs = await Promise.all(step.inputs.map(async (p) => [p, slot.kept.has(p) ? undefined : await step.nar(p)] as [string, Uint8Array | undefined]));
      const req: StepRequest = { id: ++this.#next, drvPath: step.drvPath, drv: step.drv, inputs, ...(builder ? { builder } : {}), ...(step.limits ? { limits: step.limits } : {}) };
      let reply: StepReply;
      try {
        reply = await this.#ask(slot.worker, req, step.limits?.timeoutMs);
      } catch (err) {
        // A worker that failed to start or died is not reused: the next step starts a new one.
        slot.worker.terminate();
        this.#slots.splice(this.#slots.indexOf(slot), 1);
        throw err;
      }
      if (builder) slot.builders.add(step.drv.builder);
      // The worker keeps this step's inputs once it has them all; after any error, assume nothing.
      slot.kept = 'error' in reply ? new Set() : new Set(step.inputs);
      return reply;
    } finally {
      slot.busy = false;
      this.#idle.shift()?.();
    }
  }

  /** Ends every worker; steps running are lost. */
  terminate(): void {
    for (const s of this.#slots.splice(0)) s.worker.terminate();
  }

  async #take(): Promise<Slot> {
    for (;;) {
      const free = this.#slots.find((s) => !s.busy);
      if (free) {
        free.busy = true;
        return free;
      }
      if (this.#slots.length < this.size) {
        const slot: Slot = { worker: new Worker(this.#url, { type: 'module', name: `wpm-step-${this.#slots.length + 1}` }), builders: new Set(), kept: new Set(), busy: true };
        this.#slots.push(slot);
        return slot;
      }
      await new Promise<void>((r) => this.#idle.push(r));
    }
  }

  /**
   * Posts a step and waits for its reply. A guest runs synchronously in its worker, so its time
   * limit is kept here, as the CLI's pool keeps it: past `timeoutMs` the worker is ended (the
   * caller then drops it) and the step fails with ERR_WASI_TIMEOUT.
   */
  #ask(worker: Worker, req: StepRequest, timeoutMs?: number): Promise<StepReply> {
    return new Promise((resolve, reject) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        done();
        reject(new WpmError('ERR_WASI_TIMEOUT', `${req.drv.args[0] ?? 'guest'} exceeded the time limit of ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        worker.removeEventListener('message', onMessage);
        worker.removeEventListener('error', onError);
      };
      const onMessage = (ev: MessageEvent<StepReply>) => {
        if (ev.data.id !== req.id) return;
        done();
        resolve(ev.data);
      };
      // A worker that fails to load (a missing bundle) or dies reports here, not in a reply.
      const onError = (ev: ErrorEvent) => {
        done();
        ev.preventDefault();
        reject(new WpmError('ERR_BUILD_FAILED', `the step worker running ${req.drvPath} failed: ${ev.message || 'it could not be started'}`, {
          hint: 'is step-worker.bundle.js served beside the page (npm run build puts it in dist/web)?',
        }));
      };
      worker.addEventListener('message', onMessage);
      worker.addEventListener('error', onError);
      worker.postMessage(req);
    });
  }
}
