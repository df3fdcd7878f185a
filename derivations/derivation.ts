// The derivation model: what a `.drv` store object holds, and its validation. A derivation is
// canonical JSON (see canonical-json.ts); it has no `system` field because the platform is WASI.
// Files, not the folders' indexes: the browser tab parses .drv files, and util/'s and
// store/format's indexes reach Node's modules (util/dist-dir.ts, store/format/signature.ts).
import { WpmError } from '../util/errors.js';
import { parseSize } from '../util/size.js';
import { NAME_CHARS, isStorePath, isStoreRef } from '../store/format/store-path.js';
import { canonicalJson, type Json } from './canonical-json.js';

export interface DerivationOutput {
  /** Logical store path, '' while the output paths are being computed. */
  path: string;
  /** Fixed-output derivations only: the expected content hash, in `sha256:<nix32>` form. */
  hash?: string;
  /** Fixed-output derivations only: `flat` hashes the file, `recursive` its NAR. */
  method?: 'flat' | 'recursive';
}

export interface Derivation {
  name: string;
  /** Store path of a `.wasm` builder, or a host builtin such as `builtin:fetch`. */
  builder: string;
  args: string[];
  env: Record<string, string>;
  /** Given to the builder as canonical JSON on stdin; null means empty stdin. */
  stdin: Json;
  inputDrvs: Record<string, string[]>;
  inputSrcs: string[];
  outputs: Record<string, DerivationOutput>;
  /**
   * Limits for building it, as the derivation's spec gave them. Not part of the `.drv` file or
   * its hash: how long a step may take is no property of its output.
   */
  limits?: DrvLimits;
}

/** A derivation's own step limits (`limits` in wpm.derivation), overriding the settings. */
export interface DrvLimits {
  /** Seconds the step may run. */
  timeout?: number;
  /** Seconds it may go without writing to its log. */
  maxSilentTime?: number;
  /** Bytes its log may hold. */
  maxLogSize?: number;
  /** Bytes it may write into its outputs and scratch directories. */
  maxOutputSize?: number;
}

const LIMIT_FIELDS: Record<keyof DrvLimits, 'seconds' | 'size'> = { timeout: 'seconds', maxSilentTime: 'seconds', maxLogSize: 'size', maxOutputSize: 'size' };

/** The `limits` of a derivation spec: seconds as whole numbers, sizes as bytes or '64M'. */
export function parseDrvLimits(v: unknown, where: string): DrvLimits {
  const o = expectObject(v, where, 'limits');
  const out: DrvLimits = {};
  for (const [key, value] of Object.entries(o)) {
    const kind = LIMIT_FIELDS[key as keyof DrvLimits];
    if (kind === undefined) throw new WpmError('ERR_DRV_UNKNOWN_FIELD', `${where}: unknown field 'limits.${key}'`, { hint: `limits are ${Object.keys(LIMIT_FIELDS).join(', ')}` });
    const n = kind === 'size' && typeof value === 'string' ? parseSize(value) : value;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
      throw fieldError(where, `limits.${key}`, kind === 'seconds' ? 'a whole number of seconds' : "a size in bytes, or a string such as '64M'", value);
    }
    out[key as keyof DrvLimits] = n;
  }
  return out;
}

export function isFixedOutput(drv: Derivation): boolean {
  const out = drv.outputs.out;
  return out !== undefined && out.hash !== undefined && Object.keys(drv.outputs).length === 1;
}

/** The JSON object written into the `.drv` file (and hashed). Optional fields are omitted. */
export function derivationToJson(drv: Derivation): Json {
  const outputs: Record<string, Json> = {};
  for (const [name, o] of Object.entries(drv.outputs)) {
    const entry: Record<string, Json> = { path: o.path };
    if (o.hash !== undefined) entry.hash = o.hash;
    if (o.method !== undefined) entry.method = o.method;
    outputs[name] = entry;
  }
  const json: Record<string, Json> = {
    name: drv.name,
    builder: drv.builder,
    args: drv.args,
    env: drv.env,
    inputDrvs: drv.inputDrvs,
    inputSrcs: drv.inputSrcs,
    outputs,
  };
  if (drv.stdin !== null) json.stdin = drv.stdin;
  return json;
}

/**
 * The `.drv` file's text: `canonicalJson(derivationToJson(drv))`, written field by field. Every
 * derivation of an evaluation is serialized twice (for its hash modulo, then as its file), and the
 * generic writer's sorting and allocation were a fifth of instantiation's time.
 */
export function derivationText(drv: Derivation): string {
  // Keys in canonical (UTF-16 code unit) order: args builder env inputDrvs inputSrcs name outputs stdin.
  let out = `{"args":${JSON.stringify(drv.args)},"builder":${JSON.stringify(drv.builder)},"env":${stringMapText(drv.env)},"inputDrvs":{`;
  let sep = '';
  for (const drvPath of Object.keys(drv.inputDrvs).sort()) {
    out += `${sep}${JSON.stringify(drvPath)}:${JSON.stringify(drv.inputDrvs[drvPath])}`;
    sep = ',';
  }
  out += `},"inputSrcs":${JSON.stringify(drv.inputSrcs)},"name":${JSON.stringify(drv.name)},"outputs":{`;
  sep = '';
  for (const name of Object.keys(drv.outputs).sort()) {
    const o = drv.outputs[name]!;
    out += `${sep}${JSON.stringify(name)}:{`;
    if (o.hash !== undefined) out += `"hash":${JSON.stringify(o.hash)},`;
    if (o.method !== undefined) out += `"method":${JSON.stringify(o.method)},`;
    out += `"path":${JSON.stringify(o.path)}}`;
    sep = ',';
  }
  out += '}';
  if (drv.stdin !== null) out += `,"stdin":${canonicalJson(drv.stdin)}`;
  return out + '}';
}

function stringMapText(map: Record<string, string>): string {
  const keys = Object.keys(map);
  if (keys.length === 0) return '{}';
  keys.sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) out += `${i === 0 ? '' : ','}${JSON.stringify(keys[i])}:${JSON.stringify(map[keys[i]!])}`;
  return out + '}';
}

/**
 * Refuse what cannot be an output's name, naming the derivation. A name becomes part of the
 * output path's name and of the directory the output is built in: '.' and '..' would be that
 * directory itself or its parent.
 */
export function checkOutputName(name: unknown, where: string): void {
  if (typeof name !== 'string' || name === '' || !NAME_CHARS.test(name)) throw fieldError(where, 'outputs', "names of letters, digits and '+-._?='", name);
  if (name === '.' || name === '..') throw new WpmError('ERR_DRV_FIELD_TYPE', `${where}: field 'outputs' may not name '${name}': an output's name becomes a directory's`);
}

/** Parse and validate a `.drv` file's JSON; `where` names it in errors. */
export function parseDerivation(text: string, where: string): Derivation {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new WpmError('ERR_DRV_PARSE', `${where}: not valid JSON`, { cause });
  }
  const o = expectObject(raw, where, 'the derivation');
  const outputsRaw = expectObject(o.outputs, where, 'outputs');
  const outputs: Record<string, DerivationOutput> = {};
  for (const [name, value] of Object.entries(outputsRaw)) {
    checkOutputName(name, where);
    const out = expectObject(value, where, `outputs.${name}`);
    outputs[name] = {
      path: expectStorePath(out.path, where, `outputs.${name}.path`),
      ...(out.hash === undefined ? {} : { hash: expectString(out.hash, where, `outputs.${name}.hash`) }),
      ...(out.method === undefined ? {} : { method: expectMethod(out.method, where, `outputs.${name}.method`) }),
    };
  }
  const inputDrvsRaw = expectObject(o.inputDrvs, where, 'inputDrvs');
  const inputDrvs: Record<string, string[]> = {};
  for (const [drvPath, outs] of Object.entries(inputDrvsRaw)) {
    expectStorePath(drvPath, where, 'inputDrvs');
    inputDrvs[drvPath] = expectStringArray(outs, where, `inputDrvs["${drvPath}"]`);
  }
  const builder = expectString(o.builder, where, 'builder');
  if (!builder.startsWith('builtin:') && !isStoreRef(builder)) throw fieldError(where, 'builder', 'a store path or a builtin', builder);
  const inputSrcs = expectStringArray(o.inputSrcs, where, 'inputSrcs');
  for (const p of inputSrcs) expectStorePath(p, where, 'inputSrcs');
  return {
    name: expectString(o.name, where, 'name'),
    builder,
    args: expectStringArray(o.args, where, 'args'),
    env: expectStringMap(o.env, where, 'env'),
    stdin: (o.stdin ?? null) as Json,
    inputDrvs,
    inputSrcs,
    outputs,
  };
}

export function fieldError(where: string, field: string, expected: string, got: unknown): WpmError {
  if (got === undefined) return new WpmError('ERR_DRV_FIELD_TYPE', `${where}: field '${field}' is missing (it must be ${expected})`);
  return new WpmError(
    'ERR_DRV_FIELD_TYPE',
    `${where}: field '${field}' must be ${expected}, got ${describe(got)}`,
  );
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty array' : 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}

export function expectObject(v: unknown, where: string, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw fieldError(where, field, 'an object', v);
  return v as Record<string, unknown>;
}

/** A string that is a store path itself (not a file inside one). */
function expectStorePath(v: unknown, where: string, field: string): string {
  if (typeof v !== 'string' || !isStorePath(v)) throw fieldError(where, field, 'a store path', v);
  return v;
}

export function expectString(v: unknown, where: string, field: string): string {
  if (typeof v !== 'string') throw fieldError(where, field, 'a string', v);
  return v;
}

export function expectStringArray(v: unknown, where: string, field: string): string[] {
  if (!Array.isArray(v)) throw fieldError(where, field, 'an array of strings', v);
  v.forEach((item, i) => expectString(item, where, `${field}[${i}]`));
  return v as string[];
}

export function expectStringMap(v: unknown, where: string, field: string): Record<string, string> {
  const o = expectObject(v, where, field);
  for (const [k, item] of Object.entries(o)) expectString(item, where, `${field}.${k}`);
  return o as Record<string, string>;
}

function expectMethod(v: unknown, where: string, field: string): 'flat' | 'recursive' {
  if (v !== 'flat' && v !== 'recursive') throw fieldError(where, field, "'flat' or 'recursive'", v);
  return v;
}
