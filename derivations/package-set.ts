// A large object (a package set) is evaluated by several Jsonnet VMs at once, each on its own
// thread, taking chunks of its fields from the host until none is left. The result is exactly one
// VM's: each field's value is evaluated as one VM would evaluate it, and when anything fails the
// caller asks one VM for the first error (see evaluate in evaluator.ts).
import type { Json } from './canonical-json.js';
import { WpmError } from '../util/index.js';

/** Below this many fields, splitting an object costs more (a parse of the file per VM) than it saves. */
export const SHARD_MIN_FIELDS = 256;

/** Fields per chunk: small enough to balance the VMs at the end, large enough that two calls per chunk are nothing. */
const CHUNK = 128;

/**
 * Each element takes the next chunk ([from, to), or [] once none is left) from the host and hands
 * its values back as JSON, so that a VM that started late (it parses the file after the first
 * knows the count) or met costly fields takes fewer. libjsonnet forces an array's elements in
 * order when it writes it; std.makeArray is linear, and std.primitiveEquals is a builtin where
 * `==` runs library code.
 */
const CHUNK_LOOP = `std.makeArray(std.ceil(std.length(wpmFields) / ${CHUNK}), function(_)
    local wpmChunk = std.native('wpm.next')();
    if std.length(wpmChunk) < 2 then 0
    else std.native('wpm.done')(wpmChunk[0], std.toString(std.makeArray(wpmChunk[1] - wpmChunk[0], function(i) wpmValue[wpmFields[wpmChunk[0] + i]]))))`;

/**
 * The snippet's tail for the first VM: the value itself or, for an object of SHARD_MIN_FIELDS
 * fields or more, its field names, having evaluated chunks of them. `wpm.slices(n)` is told the
 * count before any chunk is evaluated, so that the other VMs start at once.
 */
export const FIRST_SNIPPET = `
local wpmFields = if std.primitiveEquals(std.type(wpmValue), 'object') then std.objectFields(wpmValue) else [];
if std.length(wpmFields) < ${SHARD_MIN_FIELDS} then { value: wpmValue }
else if std.native('wpm.slices')(std.length(wpmFields)) then { fields: wpmFields, chunks: ${CHUNK_LOOP} }
else error 'unreachable: wpm.slices answers true'
`;

/** The snippet's tail for each other VM: chunks of the fields, while there are some left. */
export const CHUNK_SNIPPET = `
local wpmFields = std.objectFields(wpmValue);
${CHUNK_LOOP}
`;

/** Hands out a package set's fields in chunks and keeps the values the VMs hand back. */
export class Chunks {
  private next = 0;
  private readonly handedBack: { from: number; json: string }[] = [];

  constructor(private readonly count: number) {}

  /** The next chunk as [from, to], or [] once every field is handed out. */
  take(): number[] {
    if (this.next >= this.count) return [];
    const from = this.next;
    this.next = Math.min(this.count, from + CHUNK);
    return [from, this.next];
  }

  /** A chunk's values as JSON (parsed at the end, off the VMs' way). */
  done(from: number, json: string): void {
    this.handedBack.push({ from, json });
  }

  /** Once every VM has succeeded: the object, its fields in std.objectFields order. */
  value(fields: string[]): Json {
    const values: (Json | undefined)[] = new Array(this.count);
    for (const { from, json } of this.handedBack) {
      (JSON.parse(json) as Json[]).forEach((v, i) => {
        values[from + i] = v;
      });
    }
    const missing = values.findIndex((v) => v === undefined);
    if (fields.length !== this.count || missing >= 0) {
      throw new WpmError('ERR_EVAL', `internal error: field ${missing} of ${fields.length} (of ${this.count}) was not evaluated`);
    }
    // fromEntries makes every name an own field ('__proto__' too, as JSON.parse does).
    return Object.fromEntries(fields.map((name, k) => [name, values[k]!]));
  }
}
