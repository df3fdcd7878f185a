// Evaluating Jsonnet into derivations. libjsonnet does the language (lazily: only what the
// requested attribute needs is forced); wpm's library calls back into TypeScript through
// std.native for the few things Jsonnet cannot do itself (jsonnet-vm.ts). All store I/O goes
// through `EvalIO`.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError, isWpmError } from '../util/index.js';
import type { Json } from './canonical-json.js';
import type { BuiltinRequests } from './builtin-request.js';
import type { Derivation } from './derivation.js';
import { Instantiator } from './instantiate.js';
import { createVm, registerSync, runVm, type EvalArg, type EvalIO, type VmSetup } from './jsonnet-vm.js';
import { ChunkControl, ChunkValues, FIRST_SNIPPET } from './package-set.js';
import { VmWorker } from './vm-worker-handle.js';

export type { EvalArg, EvalIO } from './jsonnet-vm.js';

export interface EvalRequest {
  file: string;
  /** Dotted attribute path, e.g. `hello` or `a.b`; empty for the whole file. */
  attrPath?: string;
  args?: EvalArg[];
}

export interface EvalResult {
  value: Json;
  /** Every derivation instantiated while evaluating, by `.drv` path. */
  derivations: Map<string, Derivation>;
}

export interface EvaluatorOptions {
  /** Always on the import path (packages/lib). */
  libDirs: string[];
  /** The builtin builders derivations may name, and what each takes (runtime/builders' table). */
  builtins: BuiltinRequests;
  /** libjsonnet's stack limit in frames (default 500, libjsonnet's own). */
  maxStack?: number | undefined;
  /**
   * How many Jsonnet VMs may evaluate at once (default 1). The fields of a result that is an
   * object with at least SHARD_MIN_FIELDS fields (a package set) are shared out in chunks among
   * that many VMs, each on its own thread, all but the first in a worker. The result is the same
   * as one VM's.
   */
  parallelism?: number;
  /** Told of each derivation as it is instantiated (see Instantiator). */
  onInstantiated?: (drvPath: string, drv: Derivation) => void;
}

/**
 * How many VMs may evaluate at once in this process. node-jsonnet runs each evaluation on a libuv
 * pool thread, which stays blocked while a native callback waits for file I/O; that I/O needs
 * pool threads too. Two are always left for it, or the evaluation would wait forever.
 */
function vmLimit(): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.max(1, pool - 2);
}

export function splitAttrPath(attrPath: string | undefined): string[] {
  if (attrPath === undefined || attrPath === '') return [];
  return attrPath.split('.').map((part) => {
    if (part === '') throw new WpmError('ERR_USAGE', `invalid attribute path '${attrPath}'`);
    return part;
  });
}

/**
 * An entry file this large is taken for a package set, and the other VMs are started with the
 * first instead of once it has counted the fields: each imports (parses) the file meanwhile,
 * which for a set of 10,000 derivations is 0.17 s (with std's) that the first VM would otherwise
 * spend alone. A smaller file costs little to parse, and a worker started for nothing costs its
 * start. (The size is read here, outside EvalIO, because libjsonnet reads the file itself.)
 */
export const START_WITH_FIRST_BYTES = 64 * 1024;

export async function evaluate(req: EvalRequest, io: EvalIO, opts: EvaluatorOptions): Promise<EvalResult> {
  const setup: VmSetup = { file: path.resolve(req.file), attrs: splitAttrPath(req.attrPath), args: req.args ?? [], libDirs: opts.libDirs, builtins: opts.builtins, maxStack: opts.maxStack };
  for (const a of setup.args) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(a.name)) throw new WpmError('ERR_EVAL_ARG', `invalid argument name '${a.name}'`);
  }
  const newInstantiator = () => new Instantiator((p) => io.isValidPath(p), { builtins: opts.builtins, onInstantiated: opts.onInstantiated });
  let instantiator = newInstantiator();
  /**
   * One VM with an instantiator of its own. After VMs in parallel failed, its first error is one
   * VM's, its derivations are one VM's, and `onInstantiated` hears of each again, so that what a
   * failed call of it lost (a store error) cannot go missing if this one succeeds.
   */
  const oneVm = async (): Promise<EvalResult> => {
    instantiator = newInstantiator();
    const value = (await runVm(await createVm(setup, instantiator, io), setup, 'wpmValue')) as Json;
    return { value, derivations: instantiator.derivations };
  };
  const parallelism = Math.max(1, Math.min(vmLimit(), Math.floor(opts.parallelism ?? 1)));
  if (parallelism === 1) return oneVm();

  // The first VM evaluates the value; for a package set it has the other VMs told to go (or
  // started) as soon as it knows the count of fields, and all of them take chunks of fields until
  // none is left (package-set.ts). The first VM's native calls are answered on this thread, the
  // others' each in its worker (vm-worker.ts), whose derivations come back here in order. Once
  // one VM fails, the others stop (their next native call fails).
  const control = ChunkControl.create();
  const values = new ChunkValues();
  const workers: VmWorker[] = [];
  /** Called from a native callback too, so it never throws: VMs that could not start take no chunk. */
  const startWorkers = () => {
    try {
      for (let k = 1; k < parallelism; k++) workers.push(new VmWorker(setup, control, io, values, (p, d) => instantiator.merge(p, d)));
    } catch {
      // The VMs that started (at least the first) take every chunk between them.
    }
  };
  const withFirst = fileSize(setup.file) >= START_WITH_FIRST_BYTES;
  if (withFirst) startWorkers();
  let sliced = false;
  let first;
  try {
    first = await createVm(setup, instantiator, io, { stopped: () => control.failed() });
  } catch (err) {
    for (const w of workers) w.go(false);
    await Promise.all(workers.map((w) => w.ended));
    throw err;
  }
  registerSync(first, 'wpm.next', () => control.take());
  registerSync(first, 'wpm.done', (from: unknown, json: unknown) => (values.add(Number(from), String(json)), 0), 'from', 'json');
  registerSync(
    first,
    'wpm.slices',
    (count: unknown) => {
      sliced = true;
      control.setCount(Number(count));
      if (!withFirst) startWorkers();
      for (const w of workers) w.go(true);
      return true;
    },
    'count',
  );
  let r: { value: Json } | { fields: string[] } | undefined;
  let firstError: unknown;
  try {
    r = (await runVm(first, setup, FIRST_SNIPPET)) as { value: Json } | { fields: string[] };
  } catch (err) {
    firstError = err;
    control.fail();
  }
  // Workers started with the first and never told to go end now, having only imported the file.
  for (const w of workers) w.go(false);
  const ends = await Promise.all(workers.map((w) => w.ended));
  // Before the first VM handed out chunks, its failure is one VM's, but for how deep its stack
  // went: its snippet adds frames, and a recursion's trace then ends elsewhere in the loop.
  if (firstError !== undefined && !sliced) {
    if (isWpmError(firstError, 'ERR_EVAL_CYCLE') || isWpmError(firstError, 'ERR_EVAL_STACK')) return oneVm();
    throw firstError;
  }
  if (r !== undefined && 'value' in r) return { value: r.value, derivations: instantiator.derivations };
  // Which field fails first, in field order, is what one VM says: ask one VM. (The VMs took
  // chunks in no fixed order, and each stops at its own first failure.)
  if (r === undefined || control.failed() || ends.some((e) => e.failed)) return oneVm();
  return { value: values.value(r.fields), derivations: instantiator.derivations };
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0; // the first VM reports a missing file
  }
}
