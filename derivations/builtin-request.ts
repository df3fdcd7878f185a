// What a builtin builder takes, as data. Each builder in runtime/builders declares its own; the
// evaluator is handed the table of them (it cannot import the builders, which sit above it), checks
// every derivation naming a builtin against it when the derivation is made, in whichever VM or
// worker makes it (so it is plain data that crosses threads), and the builder checks again before
// it runs. Errors name the derivation and the field.
// Files, not the folders' indexes, which reach Node's modules: the browser tab reads builtins too.
import { WpmError } from '../util/errors.js';
import { isStoreRef } from '../store/format/store-path.js';
import type { Json } from './canonical-json.js';
import { fieldError } from './derivation.js';

/** The kinds of value a stdin field may hold. */
export type FieldType = 'string' | 'boolean' | 'count' | 'storePath' | 'object';

export interface FieldSpec {
  type: FieldType;
  /** What the field is, as the error says it must be ("a store path (the archive …)"). */
  about: string;
  required?: boolean;
}

export interface BuiltinRequest {
  /** The stdin fields it reads. */
  stdin: Record<string, FieldSpec>;
  /** The output names it can make (default: exactly 'out'). */
  outputs?: string[];
  /** At least one of these fields must be given (builtin:fetch: url or npm). */
  oneOf?: string[];
  /** Only as a fixed-output derivation, for this reason (a download is trusted for its hash alone). */
  fixedOutputOnly?: string;
}

/** The builtins evaluation accepts, by builder name; null: checked only when built. */
export type BuiltinRequests = Readonly<Record<string, BuiltinRequest | null>>;

/** Is this builder string a host builtin's name (as against a store path)? */
export function isBuiltin(builder: string): boolean {
  return builder.startsWith('builtin:');
}

/** What check needs of a derivation: its name (for messages), builder, stdin, outputs, and whether it is fixed-output. */
export interface RequestedBuild {
  where: string;
  builder: string;
  stdin: Json;
  outputs: readonly string[];
  fixedOutput: boolean;
}

/** Refuse a builtin derivation its builder cannot build, naming the field at fault. */
export function checkBuiltinRequest(table: BuiltinRequests, d: RequestedBuild): void {
  if (!Object.hasOwn(table, d.builder)) {
    throw new WpmError('ERR_DRV_BAD_BUILDER', `${d.where}: unknown builtin builder '${d.builder}'`, {
      hint: `builtins are ${Object.keys(table).join(', ')}`,
    });
  }
  const request = table[d.builder];
  if (!request) return;
  const outputs = request.outputs ?? ['out'];
  if (d.outputs.length !== outputs.length || d.outputs.some((o) => !outputs.includes(o))) {
    throw new WpmError('ERR_DRV_FIELD_TYPE', `${d.where}: ${d.builder} makes the outputs ${outputs.map((o) => `'${o}'`).join(', ')}, not ${d.outputs.map((o) => `'${o}'`).join(', ')}`);
  }
  const stdin = (typeof d.stdin === 'object' && d.stdin !== null && !Array.isArray(d.stdin) ? d.stdin : {}) as Record<string, Json>;
  if (request.oneOf && !request.oneOf.some((f) => stdin[f] !== undefined)) {
    const first = request.oneOf[0]!;
    throw fieldError(d.where, `stdin.${first}`, request.stdin[first]!.about, undefined);
  }
  for (const [name, spec] of Object.entries(request.stdin)) {
    const value = stdin[name];
    if (value === undefined) {
      if (spec.required) throw fieldError(d.where, `stdin.${name}`, spec.about, undefined);
      continue;
    }
    if (!hasType(value, spec.type)) throw fieldError(d.where, `stdin.${name}`, spec.about, value);
  }
  if (request.fixedOutputOnly !== undefined && !d.fixedOutput) {
    throw new WpmError('ERR_DRV_FIELD_TYPE', `${d.where}: ${d.builder} needs outputHash: ${request.fixedOutputOnly}`);
  }
}

function hasType(v: Json, type: FieldType): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'count':
      return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
    case 'storePath':
      return typeof v === 'string' && isStoreRef(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
  }
}
