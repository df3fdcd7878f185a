// Evaluating Jsonnet into derivations. libjsonnet does the language (lazily: only what the
// requested attribute needs is forced); wpm's library calls back into TypeScript through
// std.native for the few things Jsonnet cannot do itself. All I/O goes through `EvalIO`.
import path from 'node:path';
import type { Jsonnet } from '@hanazuki/node-jsonnet';
import { WpmError } from '../util/index.js';
import type { Json } from './canonical-json.js';
import type { Derivation } from './derivation.js';
import { Instantiator, placeholder } from './instantiate.js';
import { cleanJsonnetMessage, describeRecursion, traceForUser } from './jsonnet-trace.js';
import { CHUNK_SNIPPET, Chunks, FIRST_SNIPPET } from './package-set.js';

/** The evaluator's only window on the world. */
export interface EvalIO {
  /** Add a host file or directory to the store as a source; returns its store path. */
  addPath(hostPath: string, opts: { name: string; exclude: string[] }): Promise<string>;
  /** Add a text object; returns its store path. */
  addText(name: string, text: string, references: string[]): Promise<string>;
  /** Is this store path already valid (so a literal mention of it is a real input)? */
  isValidPath(storePath: string): boolean;
}

export interface EvalArg {
  name: string;
  value: string;
  /** true for --arg (Jsonnet code), false for --argstr (a string). */
  code: boolean;
}

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
  /**
   * How many Jsonnet VMs may evaluate at once (default 1). The fields of a result that is an
   * object with at least SHARD_MIN_FIELDS fields (a package set) are shared out in chunks among
   * that many VMs, each on its own thread. The result is the same as one VM's.
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
 * The snippet's start: import the file, apply top-level arguments if it is a function, then select
 * the attribute path (errors list what exists). `wpmValue` is the selected value.
 */
function entryPrelude(file: string, attrs: string[], args: EvalArg[]): string {
  const applied = args.map((a) => `${JSON.stringify(a.name)}: std.extVar(${JSON.stringify(`wpm.arg.${a.name}`)})`);
  const call = args.length > 0 ? `wpmEntry(${args.map((a) => `${a.name}=wpmArgs[${JSON.stringify(a.name)}]`).join(', ')})` : 'wpmEntry()';
  return `
local wpmEntry = import ${JSON.stringify(file)};
local wpmArgs = { ${applied.join(', ')} };
local wpmRoot = if std.type(wpmEntry) == 'function' then ${call} else wpmEntry;
local wpmList(names) =
  std.join(', ', names[:20]) + (if std.length(names) > 20 then ', … (' + (std.length(names) - 20) + ' more)' else '');
local wpmSelect(wpmV, wpmPath, wpmI) =
  if wpmI == std.length(wpmPath) then wpmV
  else local wpmType = std.type(wpmV), wpmName = wpmPath[wpmI];
  if wpmType == 'array' && std.length(wpmName) > 0 && std.all([std.member('0123456789', c) for c in std.stringChars(wpmName)]) then
    local n = std.parseInt(wpmName);
    if n < std.length(wpmV) then wpmSelect(wpmV[n], wpmPath, wpmI + 1)
    else error 'attribute ' + std.join('.', wpmPath[:wpmI + 1]) + ': index out of range (the list has ' + std.length(wpmV) + ' elements)'
  else if wpmType != 'object' then
    error 'attribute ' + std.join('.', wpmPath[:wpmI]) + ' is not an object, so it has no attribute ' + wpmName
  else if !std.objectHas(wpmV, wpmName) then
    error 'attribute \\'' + std.join('.', wpmPath[:wpmI + 1]) + '\\' not found in ' + ${JSON.stringify(file)} + '; available: ' + wpmList(std.objectFields(wpmV))
  else wpmSelect(wpmV[wpmName], wpmPath, wpmI + 1);
local wpmValue = wpmSelect(wpmRoot, ${JSON.stringify(attrs)}, 0);
`;
}

export async function evaluate(req: EvalRequest, io: EvalIO, opts: EvaluatorOptions): Promise<EvalResult> {
  const file = path.resolve(req.file);
  const args = req.args ?? [];
  for (const a of args) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(a.name)) throw new WpmError('ERR_EVAL_ARG', `invalid argument name '${a.name}'`);
  }
  const newInstantiator = () => new Instantiator((p) => io.isValidPath(p), opts.onInstantiated);
  let instantiator = newInstantiator();
  // Loaded on demand: a cached no-op build never pays for the native addon.
  const { Jsonnet: JsonnetVm } = await import('@hanazuki/node-jsonnet');
  const newVm = (stopped: () => boolean = () => false) => {
    const vm = new JsonnetVm();
    // The whole trace: libjsonnet would keep its first and last ten frames, and the last are the
    // wrapper's, so the user's frames in between were lost. traceForUser shortens it instead.
    // (node-jsonnet 2.1 declares `maxTrace` in its types but defines `setMaxTrace`.)
    const traced = vm as unknown as { setMaxTrace?: (n: number) => void; maxTrace?: (n: number) => void };
    if (traced.setMaxTrace) traced.setMaxTrace(0);
    else traced.maxTrace?.(0);
    for (const dir of opts.libDirs) vm.addJpath(dir);
    for (const a of args) {
      if (a.code) vm.extCode(`wpm.arg.${a.name}`, a.value);
      else vm.extString(`wpm.arg.${a.name}`, a.value);
    }
    registerNatives(vm, instantiator, io, stopped);
    return vm;
  };
  const prelude = entryPrelude(file, splitAttrPath(req.attrPath), args);
  const run = async (vm: Jsonnet, tail: string): Promise<unknown> => {
    try {
      return JSON.parse(await vm.evaluateSnippet(prelude + tail, '<wpm>'));
    } catch (err) {
      const full = cleanJsonnetMessage(String((err as Error).message ?? err));
      const isUserFile = (file: string) => file !== 'std.jsonnet' && !opts.libDirs.some((d) => file.startsWith(path.resolve(d) + path.sep));
      const cycle = describeRecursion(full, isUserFile);
      const message = traceForUser(full, isUserFile);
      const unbound = /function parameter (\S+) not bound in call/.exec(message);
      throw new WpmError(cycle ? 'ERR_EVAL_CYCLE' : 'ERR_EVAL', cycle ? `${cycle}\n${message}` : message, {
        cause: err,
        ...(unbound ? { hint: `if ${unbound[1]} is a parameter of the file itself, give it with --arg ${unbound[1]}=CODE or --argstr ${unbound[1]}=STRING` } : {}),
      });
    }
  };

  const parallelism = Math.max(1, Math.min(vmLimit(), Math.floor(opts.parallelism ?? 1)));
  /**
   * One VM with an instantiator of its own. After VMs in parallel failed, its first error is one
   * VM's, its derivations are one VM's, and `onInstantiated` hears of each again, so that what a
   * failed call of it lost (a store error) cannot go missing if this one succeeds.
   */
  const oneVm = async (): Promise<EvalResult> => {
    instantiator = newInstantiator();
    return { value: (await run(newVm(), 'wpmValue')) as Json, derivations: instantiator.derivations };
  };
  if (parallelism === 1) return oneVm();

  // The first VM evaluates the value; for a package set it has the other VMs started as soon as it
  // knows the count of fields, and all of them take chunks of fields until none is left
  // (package-set.ts). Every VM's native calls come back to this thread and one Instantiator,
  // which gives each derivation its one path whichever VM asks. Once one fails, the others stop
  // (their next native call fails).
  let failed = false;
  let chunks: Chunks | undefined;
  /** The other VMs, each settled as done or failed (its values come through wpm.done). */
  const others: Promise<void>[] = [];
  const settle = <T>(evaluation: Promise<T>): Promise<T> =>
    evaluation.catch((err: unknown) => {
      failed = true;
      throw err;
    });
  const chunkVm = () => {
    const vm = newVm(() => failed);
    vm.nativeCallback('wpm.next', () => (failed ? [] : chunks!.take()));
    vm.nativeCallback('wpm.done', (from, json) => (chunks!.done(Number(from), String(json)), 0), 'from', 'json');
    return vm;
  };
  const first = chunkVm();
  first.nativeCallback(
    'wpm.slices',
    (count) => {
      chunks = new Chunks(Number(count));
      // Handled at once: another VM may fail while the first still runs, long before anything
      // awaits it (an unhandled rejection would end the process).
      for (let k = 1; k < parallelism; k++) {
        others.push(settle(run(chunkVm(), CHUNK_SNIPPET)).then(
          () => undefined,
          () => undefined,
        ));
      }
      return true;
    },
    'count',
  );
  const head = run(first, FIRST_SNIPPET) as Promise<{ value: Json } | { fields: string[] }>;
  // The first VM's own failure, before any other started, is one VM's: its error as it is.
  const r = await settle(head).catch((err: unknown) => {
    if (others.length === 0) throw err;
    return undefined;
  });
  // The other VMs start while the first runs, so all have started once it is done.
  await Promise.all(others);
  if (r !== undefined && 'value' in r) return { value: r.value, derivations: instantiator.derivations };
  // Which field fails first, in field order, is what one VM says: ask one VM. (The VMs took
  // chunks in no fixed order, and each stops at its own first failure.)
  if (r === undefined || failed) return oneVm();
  return { value: chunks!.value(r.fields), derivations: instantiator.derivations };
}

/** The std.native functions of wpm's library, answered by the instantiator and `io`. */
function registerNatives(vm: Jsonnet, instantiator: Instantiator, io: EvalIO, stopped: () => boolean): void {
  // Errors in callbacks surface as Jsonnet runtime errors with the caller's trace. A rejected
  // string reaches the user as it is (an Error would gain an "Error: " prefix).
  const message = (err: unknown) => (err instanceof WpmError ? err.message + (err.hint ? ` (${err.hint})` : '') : String(err));
  // A callback never throws: node-jsonnet calls it from a thread-safe function, where a throw
  // ends the process. A failure is a rejected promise instead, which node-jsonnet reports to
  // the VM as an error.
  const guard = <T extends unknown[]>(fn: (...a: T) => unknown) => (...a: T): unknown => {
    if (stopped()) return Promise.reject('stopped: an earlier field failed');
    try {
      const r = fn(...a);
      return r instanceof Promise ? r.catch((err: unknown) => Promise.reject(message(err))) : r;
    } catch (err) {
      return Promise.reject(message(err));
    }
  };
  registerSync(vm, 'wpm.derivation', guard((spec) => instantiator.instantiate(String(spec))), 'spec');
  vm.nativeCallback(
    'wpm.path',
    guard(async (from, rel, exclude) => {
      const hostPath = path.resolve(path.dirname(String(from)), String(rel));
      const excludes = exclude === null ? [] : (JSON.parse(String(exclude)) as string[]);
      const storePath = await io.addPath(hostPath, { name: path.basename(hostPath), exclude: excludes });
      instantiator.addSource(storePath);
      return storePath;
    }),
    'from',
    'path',
    'exclude',
  );
  vm.nativeCallback(
    'wpm.writeText',
    guard(async (name, text) => {
      if (typeof name !== 'string' || typeof text !== 'string') {
        throw new WpmError('ERR_EVAL_TEXT_TYPE', `wpm.writeText takes a name and a text, both strings; got ${typeof name} and ${typeof text}`, {
          hint: 'wpm.writeJSON writes any value as JSON',
        });
      }
      const body = text;
      const refs = [...body.matchAll(/\/wpm\/store\/[0-9a-df-np-sv-z]{32}-[A-Za-z0-9+._?=-]+/g)].map((m) => m[0]);
      for (const r of refs) {
        // A .drv of this evaluation may or may not be written yet: refused either way, so that
        // the answer does not depend on timing.
        if (instantiator.derivations.has(r) || !io.isValidPath(r)) {
          throw new WpmError('ERR_EVAL_TEXT_REF', `wpm.writeText '${String(name)}' refers to ${r}, which is not built yet`, {
            hint: 'writeText objects are made during evaluation; pass outputs of derivations through a derivation instead',
          });
        }
      }
      const storePath = await io.addText(String(name), body, [...new Set(refs)].sort());
      instantiator.addSource(storePath);
      return storePath;
    }),
    'name',
    'text',
  );
  registerSync(vm, 'wpm.placeholder', guard((output) => placeholder(String(output))), 'output');
}

/**
 * Register a callback that answers with a plain value where it can. node-jsonnet's public
 * `nativeCallback` wraps every function in an async one, and a promise costs the main thread two
 * more N-API functions and a turn of the microtask queue: for `wpm.derivation`, called once per
 * derivation, a third of the main thread's time per call (measured in docs/design.md). The
 * binding underneath (`_nativeCallback`) takes a plain value or a promise. `fn` must not throw
 * (see `guard`); without the binding method (another version of node-jsonnet), the public one
 * gives the same answers, slower.
 */
function registerSync(vm: Jsonnet, name: string, fn: (...args: never[]) => unknown, ...params: string[]): void {
  const binding = vm as unknown as { _nativeCallback?: (name: string, fn: unknown, ...params: string[]) => void };
  if (typeof binding._nativeCallback === 'function') binding._nativeCallback(name, fn, ...params);
  else vm.nativeCallback(name, fn as () => never, ...params);
}
