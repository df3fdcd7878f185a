// A Web Worker that runs WASI build steps in memory (runtime/builders/in-memory): the page posts a
// step (derivation, builder, its input closure's NARs) and gets back each output's NAR and NAR
// hash, and the step's log. Bundled for browsers by scripts/bundle-web-worker.mjs into
// dist/web/step-worker.bundle.js. Steps run one at a time; the page starts one worker per core.
import { runStepInMemory } from '../runtime/builders/in-memory/index.js';
import type { Derivation } from '../derivations/derivation.js';
import { formatHash, hashBytes } from '../store/format/hash.js';
import type { WasiLimits } from '../runtime/wasi/types.js';

export interface StepRequest {
  id: number;
  drvPath: string;
  drv: Derivation;
  /** drv.builder's bytes, or the module compiled by an earlier request (cached by drv.builder). */
  builder?: Uint8Array;
  /**
   * The NAR of every store path of the step's input closure. A NAR may be left out (undefined) for
   * a path of the previous step's input closure on this worker, which the worker keeps: steps of
   * one build share the toolchain's 135 MB, which need not be posted again.
   */
  inputs: [storePath: string, nar: Uint8Array | undefined][];
  limits?: WasiLimits;
}

export type StepReply =
  | { id: number; exitCode: number; durationMs: number; outputs: Record<string, { nar: Uint8Array; narHash: string }>; log: Uint8Array }
  | { id: number; error: { code: string | null; message: string } };

/** The part of a dedicated worker's global scope used here (the project's lib has no DOM types). */
interface WorkerScope {
  onmessage: ((ev: { data: StepRequest }) => void) | null;
  postMessage(msg: StepReply, transfer: ArrayBuffer[]): void;
}
const scope = globalThis as unknown as WorkerScope;

const modules = new Map<string, Promise<WebAssembly.Module>>();
/** The previous step's input NARs (immutable), for a next step that names them without their bytes. */
let kept = new Map<string, Uint8Array>();

function stepInputs(req: StepRequest, previous: Map<string, Uint8Array>): Map<string, Uint8Array> {
  const inputs = new Map<string, Uint8Array>();
  for (const [p, nar] of req.inputs) {
    const bytes = nar ?? previous.get(p);
    if (bytes === undefined) throw new Error(`no NAR given for ${p}, an input of ${req.drvPath}, and the previous step on this worker did not have it`);
    inputs.set(p, bytes);
  }
  return inputs;
}

async function builderModule(req: StepRequest): Promise<WebAssembly.Module> {
  let m = modules.get(req.drv.builder);
  if (m === undefined) {
    if (req.builder === undefined) throw new Error(`no bytes given for builder ${req.drv.builder}`);
    m = WebAssembly.compile(req.builder);
    modules.set(req.drv.builder, m);
  }
  return m;
}

async function handle(req: StepRequest): Promise<void> {
  try {
    const previous = kept;
    kept = new Map(); // a request that fails here leaves nothing kept: the page then posts every NAR
    const inputs = stepInputs(req, previous);
    kept = inputs;
    const builder = await builderModule(req);
    const r = await runStepInMemory({ drvPath: req.drvPath, drv: req.drv, builder, inputs, ...(req.limits ? { limits: req.limits } : {}) });
    const outputs: Record<string, { nar: Uint8Array; narHash: string }> = {};
    for (const [name, nar] of Object.entries(r.outputs)) outputs[name] = { nar, narHash: formatHash(hashBytes('sha256', nar)) };
    const transfer = [...Object.values(r.outputs).map((n) => n.buffer as ArrayBuffer), r.log.buffer as ArrayBuffer];
    scope.postMessage({ id: req.id, exitCode: r.exitCode, durationMs: r.durationMs, outputs, log: r.log }, transfer);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    scope.postMessage({ id: req.id, error: { code: typeof code === 'string' ? code : null, message: (err as Error).message ?? String(err) } }, []);
  }
}

scope.onmessage = (ev) => void handle(ev.data);
