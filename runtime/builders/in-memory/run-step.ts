// One WASI build step with no disk: its inputs' NARs become read-only trees in an in-memory file
// system, the host (runtime/wasi) runs the builder over it in the current thread with the world
// step-run.ts describes for the CLI, and each output comes back as a NAR. No node: module is
// reached from here, so a browser worker runs it (web/step-worker.ts) as Node tests do.
import { WpmError } from '../../../util/errors.js';
import type { Derivation } from '../../../derivations/derivation.js';
import { runGuest } from '../../wasi/host.js';
import { MemFs, type MemNode } from '../../wasi/mem-fs/index.js';
import { runResult } from '../../wasi/outcome.js';
import type { WasiLimits } from '../../wasi/types.js';
import { stepRunOptions } from '../step-run.js';
import { narToTree } from './nar-tree.js';
import { treeToNar } from './tree-nar.js';

export interface InMemoryStep {
  drvPath: string;
  drv: Derivation;
  /** The builder, compiled (drv.builder's file). */
  builder: WebAssembly.Module;
  /** The NAR of every store path of the step's input closure, by store path. */
  inputs: ReadonlyMap<string, Uint8Array>;
  limits?: WasiLimits;
}

export interface InMemoryResult {
  exitCode: number;
  durationMs: number;
  /** Each output's NAR by output name; only when the builder exited 0. */
  outputs: Record<string, Uint8Array>;
  /** stdout and stderr, interleaved as written. */
  log: Uint8Array;
}

/** Host paths in the memory file system, laid out as the CLI lays out a step's directory. */
const WORK = '/work';
const INPUTS = '/store';
const OUTPUTS = '/out';
const LOG = '/log';

export async function runStepInMemory(step: InMemoryStep): Promise<InMemoryResult> {
  const { drvPath, drv } = step;
  const fs = new MemFs();
  for (const dir of ['build', 'tmp', 'store']) fs.mkdirp(`${WORK}/${dir}`);
  fs.mkdirp(OUTPUTS);
  const inputsDir = fs.mkdirp(INPUTS);
  const inputHost = (p: string): string => `${INPUTS}/${p.slice(p.lastIndexOf('/') + 1)}`;
  for (const [storePath, nar] of step.inputs) {
    fs.attach(inputsDir, storePath.slice(storePath.lastIndexOf('/') + 1), await narToTree(fs, nar));
  }
  const outputs: Record<string, string> = {};
  for (const name of Object.keys(drv.outputs)) outputs[name] = `${OUTPUTS}/${name}`;
  const opts = stepRunOptions(drvPath, drv, [...step.inputs.keys()], { work: WORK, inputHost, outputs, logFile: LOG }, step.limits ?? {});
  // A trap or a broken limit is an error, as the CLI's pool reports it.
  const { exitCode, durationMs } = runResult(await runGuest(step.builder, opts, fs), opts);
  const log = logBytes(fs);
  const nars: Record<string, Uint8Array> = {};
  if (exitCode === 0) {
    for (const [name, host] of Object.entries(outputs)) {
      let node: MemNode;
      try {
        node = fs.lookup(host, false);
      } catch {
        throw new WpmError('ERR_BUILD_NO_OUTPUT', `builder for '${drv.name}' (${drvPath}) did not create its output '${name}' (${drv.outputs[name]!.path})`);
      }
      nars[name] = treeToNar(node);
    }
  }
  return { exitCode, durationMs, outputs: nars, log };
}

function logBytes(fs: MemFs): Uint8Array {
  try {
    const node = fs.lookup(LOG);
    return node.kind === 'file' ? node.data.slice(0, node.size) : new Uint8Array(0);
  } catch {
    return new Uint8Array(0);
  }
}
