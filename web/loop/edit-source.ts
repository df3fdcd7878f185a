// A source file edited in the page, without evaluating Jsonnet again: the new file gets the path
// `wpm.path` would give it, every derivation that mentions the old path (or an output or `.drv`
// path that changes because of it) is rewritten, and its output and `.drv` paths are computed
// again as instantiation does. What the CLI would evaluate for the edited file, path for path.
// Files, not the folders' indexes: those of util/, store/format/ and derivations/ reach Node's
// modules (dist-dir.ts, signature.ts's ed25519, the Jsonnet evaluator), and this runs in a tab.
import { WpmError } from '../../util/errors.js';
import type { Hash } from '../../store/format/hash.js';
import { STORE_DIR, parseStorePath } from '../../store/format/store-path.js';
import type { Json } from '../../derivations/canonical-json.js';
import type { Derivation } from '../../derivations/derivation.js';
import { derivationPath, hashDerivationModulo, serializeDerivation, withOutputPaths } from '../../derivations/hash-modulo.js';
import type { DrvClosure } from './drv-closure.js';
import { fileSourcePath, type FileSourceOptions } from './source-path.js';

export interface RewrittenDerivation {
  oldDrvPath: string;
  drvPath: string;
  drv: Derivation;
  /** The new `.drv` file's text, to be added to the tab's store as a text object. */
  text: string;
}

export interface SourceEdit {
  oldSourcePath: string;
  newSourcePath: string;
  /** The closure after the edit: the new target and every derivation it needs. */
  closure: DrvClosure;
  /** The derivations the edit changed, inputs first; those not listed keep their paths. */
  rewritten: RewrittenDerivation[];
}

const HASH_AT = new RegExp(`${STORE_DIR.replace(/\//g, '\\/')}\\/([0-9a-df-np-sv-z]{32})-`, 'g');

/**
 * Replace the single-file source `oldSourcePath` of the closure by a file with `newContents`.
 * The names of every path stay (a store path's name is no part of what changes), so the rewrite
 * is one of hash parts, in every string of every affected derivation.
 */
export function editSource(closure: DrvClosure, oldSourcePath: string, newContents: Uint8Array | string, opts: FileSourceOptions = {}): SourceEdit {
  const { name, hashPart: oldHash } = parseStorePath(oldSourcePath);
  const order = inputsFirst(closure);
  if (!order.some((p) => closure.derivations.get(p)!.inputSrcs.includes(oldSourcePath))) {
    throw new WpmError('ERR_WEB_EDIT_SOURCE', `no derivation of ${closure.target} has the source ${oldSourcePath}`, {
      hint: "edit a source the target's derivations list in inputSrcs (a file given to wpm.path)",
    });
  }
  const newSourcePath = fileSourcePath(name, newContents, opts);
  /** Old hash part → new, for every path the edit changes so far. */
  const renamed = new Map<string, string>();
  if (newSourcePath !== oldSourcePath) renamed.set(oldHash, parseStorePath(newSourcePath).hashPart);

  const next = new Map<string, Derivation>();
  const hashes = new Map<string, Hash>();
  const hashOf = (drvPath: string): Hash => {
    let h = hashes.get(drvPath);
    if (h === undefined) {
      h = hashDerivationModulo(next.get(drvPath)!, hashOf);
      hashes.set(drvPath, h);
    }
    return h;
  };
  const rename = (p: string) => p.replace(HASH_AT, (whole, hash: string) => (renamed.has(hash) ? `${STORE_DIR}/${renamed.get(hash)}-` : whole));
  const rewritten: RewrittenDerivation[] = [];
  let target = closure.target;
  for (const oldDrvPath of order) {
    const old = closure.derivations.get(oldDrvPath)!;
    const affected = [...old.inputSrcs, ...Object.keys(old.inputDrvs)].some((p) => renamed.has(parseStorePath(p).hashPart));
    if (!affected) {
      next.set(oldDrvPath, old);
      continue;
    }
    const draft: Derivation = {
      name: old.name,
      builder: rename(old.builder),
      args: old.args.map(rename),
      env: Object.fromEntries(Object.entries(old.env).map(([k, v]) => [rename(k), rename(v)])),
      stdin: renameJson(old.stdin, rename),
      inputDrvs: Object.fromEntries(Object.entries(old.inputDrvs).map(([p, outs]) => [rename(p), outs])),
      // Instantiation keeps them sorted; a new hash part may sort elsewhere.
      inputSrcs: old.inputSrcs.map(rename).sort(),
      outputs: old.outputs,
    };
    const drv = withOutputPaths(draft, hashOf);
    const drvPath = derivationPath(drv);
    next.set(drvPath, drv);
    rewritten.push({ oldDrvPath, drvPath, drv, text: serializeDerivation(drv) });
    renamed.set(parseStorePath(oldDrvPath).hashPart, parseStorePath(drvPath).hashPart);
    for (const [out, o] of Object.entries(old.outputs)) {
      const now = drv.outputs[out]!.path;
      if (now !== o.path) renamed.set(parseStorePath(o.path).hashPart, parseStorePath(now).hashPart);
    }
    if (oldDrvPath === closure.target) target = drvPath;
  }
  return { oldSourcePath, newSourcePath, closure: { target, derivations: next }, rewritten };
}

function renameJson(v: Json, rename: (s: string) => string): Json {
  if (typeof v === 'string') return rename(v);
  if (Array.isArray(v)) return v.map((x) => renameJson(x, rename));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [rename(k), renameJson(x, rename)]));
  return v;
}

/** The closure's `.drv` paths, each after every derivation it takes an input from. */
function inputsFirst(closure: DrvClosure): string[] {
  const order: string[] = [];
  const done = new Set<string>();
  // Iterative: a long chain of derivations must not exhaust the stack.
  const stack: [string, boolean][] = [[closure.target, false]];
  while (stack.length > 0) {
    const [p, expanded] = stack.pop()!;
    if (expanded) {
      order.push(p);
      continue;
    }
    if (done.has(p)) continue;
    done.add(p);
    stack.push([p, true]);
    const drv = closure.derivations.get(p);
    if (drv === undefined) throw new WpmError('ERR_DRV_MISSING', `${p} is not in the closure read for ${closure.target}`);
    for (const input of Object.keys(drv.inputDrvs)) if (!done.has(input)) stack.push([input, false]);
  }
  return order;
}
