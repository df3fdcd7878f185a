// One Jsonnet VM set up for wpm: the import path, top-level arguments, the std.native functions of
// wpm's library (answered by an Instantiator and an EvalIO), and errors turned into wpm's. The
// same on Node's main thread and in a worker (vm-worker.ts).
import path from 'node:path';
import type { Jsonnet } from '@hanazuki/node-jsonnet';
import { WpmError } from '../util/index.js';
import type { BuiltinRequests } from './builtin-request.js';
import type { Instantiator } from './instantiate.js';
import { placeholder } from './instantiate.js';
import { cleanJsonnetMessage, describeRecursion, nativeFailureForUser, traceForUser } from './jsonnet-trace.js';

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

/** What every VM of one evaluation is given (plain data: it is sent to workers as it is). */
export interface VmSetup {
  /** The entry file, absolute. */
  file: string;
  attrs: string[];
  args: EvalArg[];
  libDirs: string[];
  /** The builtin builders derivations may name (data, so that it crosses to workers). */
  builtins: BuiltinRequests;
  /** libjsonnet's stack limit, in frames (its own default, 500, when absent). */
  maxStack?: number | undefined;
}

/**
 * The snippet's start: import the file, apply top-level arguments if it is a function, then select
 * the attribute path (errors list what exists). `wpmValue` is the selected value.
 */
export function entryPrelude({ file, attrs, args }: VmSetup): string {
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

export interface NativeGate {
  /** When true, every native call fails (another VM failed). */
  stopped?: () => boolean;
  /**
   * A promise while native calls must wait (a worker's VM before it is told to go): they go on
   * once it resolves, and fail with its reason if it rejects.
   */
  wait?: () => Promise<void> | undefined;
}

/** A VM with wpm's natives, which `gate` may hold or stop. */
export async function createVm(setup: VmSetup, instantiator: Instantiator, io: EvalIO, gate: NativeGate = {}): Promise<Jsonnet> {
  // Loaded on demand: a cached no-op build never pays for the native addon.
  const { Jsonnet: JsonnetVm } = await import('@hanazuki/node-jsonnet');
  const vm = new JsonnetVm();
  // The whole trace: libjsonnet would keep its first and last ten frames, and the last are the
  // wrapper's, so the user's frames in between were lost. traceForUser shortens it instead.
  // (node-jsonnet 2.1 declares `maxTrace` in its types but defines `setMaxTrace`.)
  const traced = vm as unknown as { setMaxTrace?: (n: number) => void; maxTrace?: (n: number) => void };
  if (traced.setMaxTrace) traced.setMaxTrace(0);
  else traced.maxTrace?.(0);
  // node-jsonnet 2.1 likewise declares `maxStack` and defines `setMaxStack`.
  if (setup.maxStack !== undefined) (vm as unknown as { setMaxStack: (n: number) => void }).setMaxStack(setup.maxStack);
  for (const dir of setup.libDirs) vm.addJpath(dir);
  for (const a of setup.args) {
    if (a.code) vm.extCode(`wpm.arg.${a.name}`, a.value);
    else vm.extString(`wpm.arg.${a.name}`, a.value);
  }
  registerNatives(vm, instantiator, io, gate);
  return vm;
}

/** Evaluate the prelude and `tail`; a failure becomes a WpmError with the user's trace. */
export async function runVm(vm: Jsonnet, setup: VmSetup, tail: string): Promise<unknown> {
  try {
    return JSON.parse(await vm.evaluateSnippet(entryPrelude(setup) + tail, '<wpm>'));
  } catch (err) {
    const full = cleanJsonnetMessage(String((err as Error).message ?? err));
    const isUserFile = (file: string) => file !== 'std.jsonnet' && !setup.libDirs.some((d) => file.startsWith(path.resolve(d) + path.sep));
    const recursion = describeRecursion(full, isUserFile, setup.maxStack);
    const failure = nativeFailures.get(vm)?.find((f) => full.includes(f));
    const message = failure !== undefined ? nativeFailureForUser(full, failure, isUserFile, failedFields.get(vm)?.get(failure)) : traceForUser(full, isUserFile);
    const unbound = /function parameter (\S+) not bound in call/.exec(message);
    const code = recursion === undefined ? 'ERR_EVAL' : recursion.kind === 'depth' ? 'ERR_EVAL_STACK' : 'ERR_EVAL_CYCLE';
    const hint = unbound
      ? `if ${unbound[1]} is a parameter of the file itself, give it with --arg ${unbound[1]}=CODE or --argstr ${unbound[1]}=STRING`
      : recursion?.kind === 'depth'
        ? 'a recursion deeper than the stack, or one without end: if it is meant to be this deep, raise the limit with --max-stack N or max-stack in wpm.conf'
        : undefined;
    throw new WpmError(code, recursion ? `${recursion.text}\n${message}` : message, { cause: err, ...(hint ? { hint } : {}) });
  }
}

/** What each VM's native calls failed with (the messages they gave libjsonnet). */
const nativeFailures = new WeakMap<Jsonnet, string[]>();
/** Of those, the ones about a field of the user's object: message → the field's name. */
const failedFields = new WeakMap<Jsonnet, Map<string, string>>();

/** The std.native functions of wpm's library, answered by the instantiator and `io`. */
function registerNatives(vm: Jsonnet, instantiator: Instantiator, io: EvalIO, gate: NativeGate): void {
  // Errors in callbacks surface as Jsonnet runtime errors with the caller's trace. A rejected
  // string reaches the user as it is (an Error would gain an "Error: " prefix). Each is kept, so
  // that runVm can tell the user's failed call from an error of the user's own code.
  const failures: string[] = [];
  const fields = new Map<string, string>();
  nativeFailures.set(vm, failures);
  failedFields.set(vm, fields);
  const message = (err: unknown) => {
    const text = err instanceof WpmError ? err.message + (err.hint ? ` (${err.hint})` : '') : String(err);
    failures.push(text);
    return text;
  };
  // A callback never throws: node-jsonnet calls it from a thread-safe function, where a throw
  // ends the process. A failure is a rejected promise instead, which node-jsonnet reports to
  // the VM as an error.
  const call = <T extends unknown[]>(fn: (...a: T) => unknown, a: T): unknown => {
    if (gate.stopped?.()) return Promise.reject('stopped: an earlier field failed');
    try {
      const r = fn(...a);
      return r instanceof Promise ? r.catch((err: unknown) => Promise.reject(message(err))) : r;
    } catch (err) {
      return Promise.reject(message(err));
    }
  };
  const guard = <T extends unknown[]>(fn: (...a: T) => unknown) => (...a: T): unknown => {
    const wait = gate.wait?.();
    return wait === undefined ? call(fn, a) : wait.then(() => call(fn, a));
  };
  registerSync(vm, 'wpm.derivation', guard((spec) => instantiator.instantiate(String(spec))), 'spec');
  // A library's refusal of one field of the user's object (cc.libsonnet's unknown fields): the
  // field's name is kept with the message, so the error can point at the field's own line.
  registerSync(vm, 'wpm.fieldError', (field: unknown, text: unknown) => {
    fields.set(String(text), String(field));
    failures.push(String(text));
    return Promise.reject(String(text));
  }, 'field', 'message');
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
export function registerSync(vm: Jsonnet, name: string, fn: (...args: never[]) => unknown, ...params: string[]): void {
  const binding = vm as unknown as { _nativeCallback?: (name: string, fn: unknown, ...params: string[]) => void };
  if (typeof binding._nativeCallback === 'function') binding._nativeCallback(name, fn, ...params);
  else vm.nativeCallback(name, fn as () => never, ...params);
}
