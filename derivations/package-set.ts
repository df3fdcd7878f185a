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
import { WpmError } from '../util/index.js';

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

/** Fields per chunk: small enough to balance the VMs at the end, large enough that two calls per chunk are nothing. */
const CHUNK = 128;

/**
 * The snippet's tail for the first VM: the value itself or, for an object of SHARD_MIN_FIELDS
 * fields or more, its field names, having evaluated chunks of them. `wpm.slices(n)` is told the
 * count before any chunk is evaluated, so that the other VMs start at once.
 */
export function firstSnippet(marks: Marks): string {
  return `
local wpmFields = if std.primitiveEquals(std.type(wpmValue), 'object') then std.objectFields(wpmValue) else [];
if std.length(wpmFields) < ${SHARD_MIN_FIELDS} then { value: wpmValue }
else if std.native('wpm.slices')(std.length(wpmFields)) then { fields: wpmFields, chunks: ${chunkLoop(marks)} }
else error 'wpm.slices'
`;
}

/** The snippet's tail for each other VM: chunks of the fields, while there are some left. */
export function chunkSnippet(marks: Marks): string {
  return `
local wpmFields = std.objectFields(wpmValue);
${chunkLoop(marks)}
`;
}

/** The snippet's tail for some fields' values, each as `[value]`, made through the host. */
export function fieldsSnippet(names: string[]): string {
  return `
local wpmNames = ${JSON.stringify(names)};
std.makeArray(std.length(wpmNames), function(i) [wpmValue[wpmNames[i]]])
`;
}

/**
 * Each element takes the next chunk ([from, to), or [] once none is left) from the host and
 * hands its elements back as JSON: the host instantiates them while the VMs go on, and a VM that
 * started late or met costly fields takes fewer chunks. (libjsonnet forces an array's elements in
 * order when it writes it. One object serves for every marked derivation: an extension that
 * replaces `__wpm` whole costs libjsonnet a third less than one that merges into it.
 * std.makeArray is linear; builtins such as std.primitiveEquals and `in` are cheap where `==`
 * and std.objectHas run library code.)
 */
const chunkLoop = (marks: Marks) => `(
  local wpmMarked = { __wpm:: { made: {
    type: 'derivation', name: ${JSON.stringify(marks.name)}, drvPath: ${JSON.stringify(marks.drvPath)},
    out: ${JSON.stringify(marks.out)}, outputs: { out: ${JSON.stringify(marks.out)} },
  } } };
  local wpmElement(k) =
    local v = wpmValue[wpmFields[k]];
    if std.primitiveEquals(std.type(v), 'object') && '__wpm' in v then [v.__wpm.spec, v + wpmMarked] else [v];
  std.makeArray(std.ceil(std.length(wpmFields) / ${CHUNK}), function(_)
    local wpmChunk = std.native('wpm.next')();
    if std.length(wpmChunk) < 2 then 0
    else std.native('wpm.done')(wpmChunk[0], std.toString(std.makeArray(wpmChunk[1] - wpmChunk[0], function(i) wpmElement(wpmChunk[0] + i)))))
)`;

/**
 * Hands out a package set's fields in chunks and resolves what the VMs hand back, on this thread
 * between their calls. A marked derivation whose value is wpm.derivation's fields with the markers
 * untouched is instantiated; anything else is left for `fieldsSnippet` (see `again`).
 */
export class Chunks {
  private next = 0;
  private readonly values: (Json | typeof AGAIN | undefined)[];
  private readonly queue: { from: number; json: string }[] = [];
  private draining = false;
  private failed = false;

  constructor(
    private readonly count: number,
    private readonly marks: Marks,
    private readonly instantiator: Instantiator,
    private readonly onFailure: () => void,
  ) {
    this.values = new Array(count);
  }

  /** The next chunk as [from, to], or [] once every field is handed out. */
  take(): number[] {
    if (this.next >= this.count) return [];
    const from = this.next;
    this.next = Math.min(this.count, from + CHUNK);
    return [from, this.next];
  }

  /** A chunk's elements as JSON; resolved soon, not now, so that the VM goes on at once. */
  done(from: number, json: string): void {
    this.queue.push({ from, json });
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => this.drain());
    }
  }

  /** Resolve what has been handed back, one chunk per turn of the event loop. */
  private drain(): void {
    const chunk = this.queue.shift();
    if (chunk) this.resolve(chunk);
    if (this.queue.length > 0) setImmediate(() => this.drain());
    else this.draining = false;
  }

  private resolve({ from, json }: { from: number; json: string }): void {
    if (this.failed) return;
    try {
      (JSON.parse(json) as SliceElement[]).forEach((e, i) => {
        this.values[from + i] = this.valueOf(e);
      });
    } catch {
      // One VM will say it, with its trace (see evaluate).
      this.failed = true;
      this.onFailure();
    }
  }

  private valueOf(e: SliceElement): Json | typeof AGAIN {
    if (e.length === 1) return e[0];
    const [spec, value] = e;
    if (!isMarked(value, this.marks)) return AGAIN;
    const made = this.instantiator.instantiate(spec);
    // wpm.derivation's fields, in the order libjsonnet writes them (sorted).
    return { drvPath: made.drvPath, name: made.name, out: made.out, outputs: { out: made.out }, type: 'derivation' };
  }

  /** Once the VMs are done: resolve what is left. False if an instantiation failed. */
  finish(fields: string[]): boolean {
    for (const chunk of this.queue.splice(0)) this.resolve(chunk);
    if (this.failed) return false;
    const missing = this.values.findIndex((v) => v === undefined);
    if (fields.length !== this.count || missing >= 0) {
      throw new WpmError('ERR_EVAL', `internal error: field ${missing} of ${fields.length} (of ${this.count}) was not evaluated`);
    }
    return true;
  }

  /** The fields to evaluate again, through the host (in field order). */
  again(fields: string[]): string[] {
    return fields.filter((_, k) => this.values[k] === AGAIN);
  }

  /** The object, given the values of the fields `again` named. */
  value(fields: string[], againValues: Json[]): Json {
    let next = 0;
    // fromEntries makes every name an own field ('__proto__' too, as JSON.parse does).
    return Object.fromEntries(fields.map((name, k) => [name, this.values[k] === AGAIN ? againValues[next++]! : (this.values[k] as Json)]));
  }
}

/** A value to evaluate again, through the host. */
const AGAIN = Symbol('again');

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
