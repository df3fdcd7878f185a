// A large object (a package set) is evaluated in slices of its fields, each by its own Jsonnet VM
// on its own thread, and its derivations are made in bulk. The result is exactly one VM's.
//
// Made in bulk: wpm.derivation's object reads the host's answer through its hidden `__wpm.made`
// (packages/lib/wpm.libsonnet). Asking the host costs a round trip from libjsonnet's thread to
// Node's main thread, during which the VM waits; for a package set that was most of the time. A
// slice therefore extends each field's derivation with marker values for `made`, and hands back
// the spec with the result. When the result is made of the markers exactly as wpm.derivation's
// fields read them, nothing looked into them, and the spec is instantiated here, after the VM is
// done. Anything else (a visible field added, a field overridden, a marker used in a computation)
// is evaluated again, in field order, by a VM that makes every derivation through the host.
// Derivations that others depend on are still made through the host: their paths are in specs.
import crypto from 'node:crypto';
import { STORE_DIR, nix32Encode } from '../store/format/index.js';
import type { Json } from './canonical-json.js';
import type { Instantiator } from './instantiate.js';

/** Below this many fields, splitting an object costs more (a parse of the file per VM) than it saves. */
export const SHARD_MIN_FIELDS = 256;

/** What `made` holds in a slice: random per evaluation, so no value of the user's matches by chance. */
export interface Marks {
  name: string;
  drvPath: string;
  out: string;
}

export function newMarks(): Marks {
  const hashPart = () => nix32Encode(crypto.randomBytes(20));
  return { name: `marker-${hashPart()}`, drvPath: `${STORE_DIR}/${hashPart()}-marker.drv`, out: `${STORE_DIR}/${hashPart()}-marker` };
}

/** A field's value, or a derivation's spec and its marked value. */
export type SliceElement = [Json] | [string, Json];

/**
 * The snippet's tail for the first VM: the value itself, or, for an object of SHARD_MIN_FIELDS
 * fields or more, its field names and the first slice. `wpm.slices(n)` is told the count before
 * the first slice is evaluated, starts the other VMs, and answers where the first slice ends.
 */
export function firstSnippet(marks: Marks): string {
  return `
${markedLocal(marks)}
local wpmFields = if std.primitiveEquals(std.type(wpmValue), 'object') then std.objectFields(wpmValue) else [];
if std.length(wpmFields) < ${SHARD_MIN_FIELDS} then { value: wpmValue }
else local wpmTo = std.native('wpm.slices')(std.length(wpmFields));
  { fields: wpmFields, elements: ${elements('0', 'wpmTo')} }
`;
}

/** The snippet's tail for the slice [from, to) of the fields (in std.objectFields order). */
export function sliceSnippet(from: number, to: number, marks: Marks): string {
  return `
${markedLocal(marks)}
local wpmFields = std.objectFields(wpmValue);
${elements(String(from), String(to))}
`;
}

/** The snippet's tail for some fields' values, each as `[value]`, made through the host. */
export function fieldsSnippet(names: string[]): string {
  return `
local wpmNames = ${JSON.stringify(names)};
std.makeArray(std.length(wpmNames), function(i) [wpmValue[wpmNames[i]]])
`;
}

// One object for every marked derivation: an extension that replaces `__wpm` whole costs libjsonnet
// a third less than one that merges into it. (std.makeArray is linear; builtins such as
// std.primitiveEquals and `in` are cheap where `==` and std.objectHas run library code.)
const markedLocal = (marks: Marks) => `
local wpmMarked = { __wpm:: { made: {
  type: 'derivation', name: ${JSON.stringify(marks.name)}, drvPath: ${JSON.stringify(marks.drvPath)},
  out: ${JSON.stringify(marks.out)}, outputs: { out: ${JSON.stringify(marks.out)} },
} } };`;

const elements = (from: string, to: string) => `std.makeArray(${to} - ${from}, function(i)
  local v = wpmValue[wpmFields[${from} + i]];
  if std.primitiveEquals(std.type(v), 'object') && '__wpm' in v then [v.__wpm.spec, v + wpmMarked] else [v])`;

/**
 * The values of a slice's elements. A marked derivation whose value is wpm.derivation's fields
 * with the markers untouched is instantiated now; `undefined` stands for a value to evaluate again.
 * Throws what instantiation throws (the caller then asks one VM for the error and its trace).
 */
export function resolveSlice(elements: SliceElement[], marks: Marks, instantiator: Instantiator): (Json | undefined)[] {
  return elements.map((e) => {
    if (e.length === 1) return e[0];
    const [spec, value] = e;
    if (!isMarked(value, marks)) return undefined;
    const made = instantiator.instantiate(spec);
    // wpm.derivation's fields, in the order libjsonnet writes them (sorted).
    return { drvPath: made.drvPath, name: made.name, out: made.out, outputs: { out: made.out }, type: 'derivation' };
  });
}

function isMarked(v: Json, marks: Marks): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  if (Object.keys(v).join() !== 'drvPath,name,out,outputs,type') return false;
  const { outputs } = v;
  return (
    v.type === 'derivation' &&
    v.name === marks.name &&
    v.drvPath === marks.drvPath &&
    v.out === marks.out &&
    typeof outputs === 'object' &&
    outputs !== null &&
    Object.keys(outputs).join() === 'out' &&
    (outputs as Record<string, Json>).out === marks.out
  );
}
