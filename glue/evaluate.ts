// Evaluate a file for a command: each -A attribute (or the whole file), collecting the
// derivations to build with the attribute names users will recognise in messages. The `.drv`
// files are written as evaluation goes on, and the evaluation cache answers a no-op.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WpmError } from '../util/index.js';
import { evaluate, type Derivation, type DrvLimits, type EvalArg, type Json } from '../derivations/index.js';
import { builtinRequests, type BuiltinTable } from '../runtime/builders/index.js';
import type { LocalStore } from '../store/index.js';
import { DrvWriter } from './drv-writer.js';
import { EvalCache, EvalRecorder } from './eval-cache.js';
import { storeEvalIO } from './eval-io.js';
import { withinEvalLimits, type EvalLimits } from './eval-limits.js';
import { importClosure, type ImportClosure } from './import-closure.js';

/** Jsonnet VMs for a large package set: one per core, up to four (beyond, the main thread's share dominates). */
const EVAL_PARALLELISM = Math.min(4, os.availableParallelism());

export interface Target {
  attr: string;
  drvPath: string;
  outputs: Record<string, string>;
}

export interface Evaluated {
  values: { attr: string; value: Json }[];
  targets: Target[];
  derivations: Map<string, Derivation>;
  /** Derivations' own step limits, by `.drv` path (from the derivations, or the evaluation cache). */
  drvLimits: Map<string, DrvLimits>;
  /** Where each source came from: store path → the host file or directory wpm.path added. */
  sources: Map<string, string>;
}

/** What to evaluate: a file (or a directory with a default.jsonnet), attributes, arguments. */
export interface EvalTarget {
  file: string;
  /** Attribute paths; none means the file's whole value. */
  attrs: string[];
  args: EvalArg[];
}

export interface EvaluateOptions {
  /** Where `import 'wpm.libsonnet'` and the other libraries are found. */
  libDirs: string[];
  /** The host builtins derivations may name (default: runtime/builders' table). */
  builtins?: BuiltinTable;
  /** Use the evaluation cache (default true; WPM_EVAL_CACHE=0 turns it off in the CLI). */
  cache?: boolean;
  /** Accept a value that holds no derivation (wpm eval). */
  anyValue?: boolean;
  /** Write no `.drv` file (their paths are computed, not stored), as `nix eval --read-only`. */
  readOnly?: boolean;
  /** Time, memory and stack limits (eval-limits.ts); none by default. */
  limits?: EvalLimits;
}

export function evaluateFile(store: LocalStore, target: EvalTarget, opts: EvaluateOptions): Promise<Evaluated> {
  return withinEvalLimits(target.file, opts.limits ?? {}, () => evaluateWithin(store, target, opts));
}

async function evaluateWithin(store: LocalStore, target: EvalTarget, opts: EvaluateOptions): Promise<Evaluated> {
  const { attrs, args } = target;
  const { libDirs } = opts;
  const file = entryFile(target.file);
  const io = storeEvalIO(store);
  // An entry is keyed by wpm's own code, not by a table of builtins a caller brings (tests).
  const cache = opts.cache === false || opts.builtins ? undefined : new EvalCache(store);
  // Every file it can import, read once: for the cache's key, and to refuse what is no file.
  const closure = importClosure(file, libDirs);
  refuseIrregularImports(closure);
  const derivations = new Map<string, Derivation>();
  const drvLimits = new Map<string, DrvLimits>();
  const sources = new Map<string, string>();
  const values: Evaluated['values'] = [];
  for (const attr of attrs.length > 0 ? attrs : ['']) {
    // The stack limit is part of the request: a result needing a deeper stack is not reused under a lower limit.
    const key = cache?.key({ file, attrPath: attr, args, libDirs, maxStack: opts.limits?.maxStack }, closure);
    const cached = key ? await cache!.lookup(key, io) : undefined;
    if (cached !== undefined) {
      values.push({ attr, value: cached.value });
      for (const [p, l] of Object.entries(cached.limits)) drvLimits.set(p, l);
      for (const c of cached.pathCalls) sources.set(c.storePath, c.hostPath);
      continue;
    }
    const recorder = new EvalRecorder(io);
    // .drv files are written as derivations are made; the cache may only point at stored ones.
    const writer = opts.readOnly ? undefined : new DrvWriter(store);
    let r: Awaited<ReturnType<typeof evaluate>>;
    try {
      r = await evaluate({ file, attrPath: attr, args }, recorder, {
        libDirs,
        builtins: builtinRequests(opts.builtins),
        maxStack: opts.limits?.maxStack,
        parallelism: EVAL_PARALLELISM,
        onInstantiated: writer && ((drvPath, drv) => writer.add(drvPath, drv)),
      });
    } catch (err) {
      await writer?.abort();
      throw err;
    }
    if (writer) {
      await writer.close();
      if (key) cache!.save(key, r, recorder);
    }
    for (const c of recorder.pathCalls) sources.set(c.storePath, c.hostPath);
    for (const [p, d] of r.derivations) {
      derivations.set(p, d);
      if (d.limits) drvLimits.set(p, d.limits);
    }
    values.push({ attr, value: r.value });
  }
  const targets = values.flatMap((v) => {
    const found = collectTargets(v.value, v.attr);
    if (found.length === 0 && !opts.anyValue) {
      const what = v.attr ? `attribute '${v.attr}' of ${file}` : file;
      throw new WpmError('ERR_EVAL_NO_DERIVATION', `${what} does not evaluate to a derivation or an object of derivations`);
    }
    return found;
  });
  return { values, targets, derivations, drvLimits, sources };
}

/**
 * libjsonnet reads an import whole: a device or a pipe ('/dev/zero', '/dev/stdin') would never
 * end. Such an import is refused before evaluation starts, naming the line that makes it.
 */
function refuseIrregularImports(closure: ImportClosure): void {
  for (const [file, f] of closure.files) {
    if (f.notRegular === undefined || f.from === undefined) continue;
    throw new WpmError('ERR_EVAL_FILE', `${f.from.file}:${f.from.line}: import '${f.from.spelled}' is ${f.notRegular} (${file}), not a file: only regular files can be imported`);
  }
}

/** The Jsonnet file a command names: a directory means its default.jsonnet, as nix-build does. */
function entryFile(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new WpmError('ERR_USAGE', `${file}: no such file`);
    throw new WpmError('ERR_EVAL_FILE', `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  if (stat.isFile()) return file;
  if (!stat.isDirectory()) throw new WpmError('ERR_USAGE', `${file} is not a file: wpm evaluates Jsonnet files`);
  const entry = path.join(file, 'default.jsonnet');
  if (!fs.existsSync(entry)) throw new WpmError('ERR_USAGE', `${file} is a directory without a default.jsonnet`);
  return entry;
}

function isDerivationValue(v: Json): v is { type: 'derivation'; drvPath: string; outputs: Record<string, string> } & { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.type === 'derivation' && typeof v.drvPath === 'string';
}

/** A derivation, or an object/array of them (nested), becomes a list of targets. */
export function collectTargets(value: Json, attr: string): Target[] {
  if (isDerivationValue(value)) {
    return [{ attr, drvPath: value.drvPath, outputs: value.outputs as Record<string, string> }];
  }
  const out: Target[] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...collectTargets(v, attr ? `${attr}.${i}` : `${i}`)));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push(...collectTargets(v, attr ? `${attr}.${k}` : k));
  }
  return out;
}
