// Turning what Jsonnet asked for (a derivation spec) into a Derivation with its store paths.
// Dependencies are found the way Nix's string context would find them, but by scanning: every
// store path mentioned in the builder, args, env or stdin that this evaluation produced (or that
// the store already holds) becomes an input.
import { WpmError } from '../util/index.js';
import {
  STORE_DIR,
  isStoreRef,
  formatHash,
  hashBytes,
  nix32Encode,
  parseHash,
  validateStorePathName,
  type Hash,
} from '../store/format/index.js';
import type { Json } from './canonical-json.js';
import {
  expectObject,
  expectString,
  expectStringArray,
  expectStringMap,
  fieldError,
  checkOutputName,
  parseDrvLimits,
  type Derivation,
} from './derivation.js';
import { checkBuiltinRequest, isBuiltin, type BuiltinRequests } from './builtin-request.js';
import { derivationPath, hashDerivationModulo, withOutputPaths } from './hash-modulo.js';

/** What `wpm.derivation` returns to Jsonnet. */
export interface Instantiated {
  type: 'derivation';
  name: string;
  drvPath: string;
  outputs: Record<string, string>;
  /** The first output's path; other outputs are also fields by their own names. */
  out: string;
  [output: string]: unknown;
}

/** What instantiation needs from outside: is this store path already valid in the store? */
export type KnownPathCheck = (storePath: string) => boolean;

const STORE_PATH_RE = new RegExp(
  `${STORE_DIR.replace(/\//g, '\\/')}\\/([0-9a-df-np-sv-z]{32})-([A-Za-z0-9+._?=-]+)`,
  'g',
);

/** The fields of a derivation spec (those of wrappers aside). */
const SPEC_FIELDS = new Set(['name', 'builder', 'args', 'env', 'stdin', 'outputs', 'outputHash', 'outputHashMode', 'limits']);

export { placeholder } from './placeholder.js';

export interface InstantiatorOptions {
  /** The builtin builders derivations may name, and what each takes (runtime/builders' table). */
  builtins: BuiltinRequests;
  /**
   * Told of each derivation the first time this evaluation makes it (or merges it from a
   * worker), so that its `.drv` file can be written while evaluation goes on.
   */
  onInstantiated?: ((drvPath: string, drv: Derivation) => void) | undefined;
}

export class Instantiator {
  /** Every derivation instantiated in this evaluation, by `.drv` path. */
  readonly derivations = new Map<string, Derivation>();
  /** Hash modulo of each derivation, computed when a dependent first needs it. */
  private readonly hashes = new Map<string, Hash>();
  /** Hash part of an output path → the derivation and output producing it. */
  private readonly outputsByHash = new Map<string, { drvPath: string; output: string }>();
  /** Hash part → source path added during this evaluation. */
  private readonly sourcesByHash = new Map<string, string>();

  constructor(
    private readonly isKnownPath: KnownPathCheck,
    private readonly opts: InstantiatorOptions,
  ) {}

  addSource(storePath: string): void {
    this.sourcesByHash.set(storePath.slice(STORE_DIR.length + 1, STORE_DIR.length + 33), storePath);
  }

  /**
   * Take a derivation another VM's instantiator made (in a worker), in the order it made them:
   * kept, and told of if this evaluation did not have it.
   */
  merge(drvPath: string, drv: Derivation): void {
    if (this.record(drvPath, drv)) this.opts.onInstantiated?.(drvPath, drv);
  }

  instantiate(specJson: string): Instantiated {
    const spec = expectObject(JSON.parse(specJson), 'wpm.derivation', 'the argument');
    const rawName = spec.name;
    if (typeof rawName !== 'string') throw fieldError('wpm.derivation', 'name', 'a string', rawName);
    const where = `derivation '${rawName}'`;
    try {
      validateStorePathName(rawName);
    } catch (cause) {
      throw new WpmError('ERR_DRV_BAD_NAME', `${where}: invalid name: ${(cause as Error).message}`, { cause });
    }
    // Fields starting with '_' (and the 'type' marker) belong to wrappers, not to the derivation.
    let wrapperFields = false;
    for (const key in spec) {
      if (key.startsWith('_') || key === 'type') wrapperFields = true;
      else if (!SPEC_FIELDS.has(key)) {
        throw new WpmError('ERR_DRV_UNKNOWN_FIELD', `${where}: unknown field '${key}'`, {
          hint: `known fields: ${[...SPEC_FIELDS].join(', ')} (use '::' for private fields in Jsonnet)`,
        });
      }
    }
    const builder = expectString(spec.builder, where, 'builder');
    const args = spec.args === undefined ? [] : expectStringArray(spec.args, where, 'args');
    const env = spec.env === undefined ? {} : expectStringMap(spec.env, where, 'env');
    const stdin = (spec.stdin ?? null) as Json;
    const outputNames = spec.outputs === undefined ? ['out'] : expectStringArray(spec.outputs, where, 'outputs');
    if (outputNames.length === 0) throw fieldError(where, 'outputs', 'a non-empty array', spec.outputs);
    for (const [k, o] of outputNames.entries()) {
      // An output's name becomes part of its store path's name.
      checkOutputName(o, where);
      if (outputNames.indexOf(o) !== k) throw new WpmError('ERR_DRV_FIELD_TYPE', `${where}: field 'outputs' names '${o}' twice`);
    }
    if (spec.outputHash === undefined && spec.outputHashMode !== undefined) {
      throw new WpmError('ERR_DRV_FIELD_TYPE', `${where}: outputHashMode is given without outputHash`);
    }
    if (!isBuiltin(builder) && !isStoreRef(builder)) {
      throw new WpmError('ERR_DRV_BAD_BUILDER', `${where}: builder '${builder}' is not a store path`, {
        hint: "use wpm.path(std.thisFile, 'tool.wasm') or another derivation's output",
      });
    }
    if (isBuiltin(builder)) checkBuiltinRequest(this.opts.builtins, { where, builder, stdin, outputs: outputNames, fixedOutput: spec.outputHash !== undefined });
    for (const name of Object.keys(env)) {
      if (outputNames.includes(name)) {
        throw new WpmError('ERR_DRV_ENV_CLASH', `${where}: env.${name} clashes with the output of that name`);
      }
    }

    const outputs: Derivation['outputs'] = {};
    if (spec.outputHash !== undefined) {
      const hashText = expectString(spec.outputHash, where, 'outputHash');
      const mode = spec.outputHashMode === undefined ? 'flat' : expectString(spec.outputHashMode, where, 'outputHashMode');
      if (mode !== 'flat' && mode !== 'recursive') throw fieldError(where, 'outputHashMode', "'flat' or 'recursive'", mode);
      if (outputNames.length !== 1 || outputNames[0] !== 'out') {
        throw new WpmError('ERR_DRV_FIXED_OUTPUTS', `${where}: a fixed-output derivation has exactly one output, 'out'`);
      }
      let hash: Hash;
      try {
        hash = parseHash(hashText);
      } catch (cause) {
        throw new WpmError('ERR_DRV_BAD_HASH', `${where}: outputHash: ${(cause as Error).message}`, { cause });
      }
      outputs.out = { path: '', hash: formatHash(hash, 'nix32'), method: mode };
    } else {
      for (const name of outputNames) outputs[name] = { path: '' };
    }

    // Inputs are the store paths mentioned in builder, args, env or stdin. The other fields cannot
    // hold one and still be valid (names and output names are store path names, outputHash is a
    // hash), so without wrapper fields the JSON as Jsonnet wrote it is scanned whole, unless it
    // spells characters as escapes.
    const whole = !wrapperFields && !/\\[u/]/.test(specJson);
    const mentions = whole ? [specJson] : [builder, JSON.stringify(args), JSON.stringify(env), JSON.stringify(stdin)];
    const { inputDrvs, inputSrcs } = this.scanInputs(where, mentions);
    const draft: Derivation = { name: rawName, builder, args, env, stdin, inputDrvs, inputSrcs, outputs };
    if (spec.limits !== undefined) draft.limits = parseDrvLimits(spec.limits, where);
    const drv = withOutputPaths(draft, (p) => this.hashOf(p)!);
    const drvPath = derivationPath(drv);
    if (this.record(drvPath, drv)) this.opts.onInstantiated?.(drvPath, drv);
    const outputsByName: Record<string, string> = {};
    for (const [name, o] of Object.entries(drv.outputs)) outputsByName[name] = o.path;
    return { ...outputsByName, type: 'derivation', name: rawName, drvPath, outputs: outputsByName, out: outputsByName[outputNames[0]!]! };
  }

  /** Remember a derivation; false if this evaluation already had it. */
  private record(drvPath: string, drv: Derivation): boolean {
    if (this.derivations.has(drvPath)) return false;
    this.derivations.set(drvPath, drv);
    for (const [output, o] of Object.entries(drv.outputs)) {
      this.outputsByHash.set(o.path.slice(STORE_DIR.length + 1, STORE_DIR.length + 33), { drvPath, output });
    }
    return true;
  }

  private scanInputs(where: string, texts: string[]): { inputDrvs: Record<string, string[]>; inputSrcs: string[] } {
    const drvOutputs = new Map<string, Set<string>>();
    const srcs = new Set<string>();
    for (const text of texts) {
      for (const m of text.matchAll(STORE_PATH_RE)) {
        const hashPart = m[1]!;
        const produced = this.outputsByHash.get(hashPart);
        if (produced) {
          const set = drvOutputs.get(produced.drvPath) ?? new Set();
          set.add(produced.output);
          drvOutputs.set(produced.drvPath, set);
          continue;
        }
        const source = this.sourcesByHash.get(hashPart);
        if (source) {
          srcs.add(source);
          continue;
        }
        const full = `${STORE_DIR}/${hashPart}-${m[2]}`;
        // A .drv made in this evaluation is written before any build: a source, whether or not
        // it is in the store yet (it is written while evaluation goes on).
        if (this.derivations.has(full) || this.isKnownPath(full)) {
          srcs.add(full);
          continue;
        }
        throw new WpmError('ERR_DRV_UNKNOWN_PATH', `${where}: refers to ${full}, which is neither produced by this evaluation nor valid in the store`, {
          hint: 'refer to store paths through wpm.path or the outputs of other derivations',
        });
      }
    }
    const inputDrvs: Record<string, string[]> = {};
    for (const drvPath of [...drvOutputs.keys()].sort()) inputDrvs[drvPath] = [...drvOutputs.get(drvPath)!].sort();
    return { inputDrvs, inputSrcs: [...srcs].sort() };
  }

  hashOf(drvPath: string): Hash | undefined {
    let h = this.hashes.get(drvPath);
    if (h === undefined) {
      const drv = this.derivations.get(drvPath);
      if (drv === undefined) return undefined;
      h = hashDerivationModulo(drv, (p) => this.hashOf(p)!);
      this.hashes.set(drvPath, h);
    }
    return h;
  }
}

export { hashDerivationModulo };
