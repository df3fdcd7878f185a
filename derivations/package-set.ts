// A large object (a package set) is evaluated by several Jsonnet VMs at once, each on its own
// thread, taking chunks of its fields from a counter they share until none is left. The first VM
// answers its native calls on Node's main thread, the others each in a worker of their own
// (vm-worker.ts). The result is exactly one VM's: each field's value is evaluated as one VM would
// evaluate it, and when anything fails the caller asks one VM for the first error (see evaluate
// in evaluator.ts).
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
 * order when it writes it; std.makeArray is linear, std.primitiveEquals is a builtin where `==`
 * runs library code, and `'' + v` writes JSON as std.toString(v) does without calling it.
 */
const CHUNK_LOOP = `std.makeArray(std.ceil(std.length(wpmFields) / ${CHUNK}), function(_)
    local wpmChunk = std.native('wpm.next')();
    if std.length(wpmChunk) < 2 then 0
    else std.native('wpm.done')(wpmChunk[0], '' + (std.makeArray(wpmChunk[1] - wpmChunk[0], function(i) wpmValue[wpmFields[wpmChunk[0] + i]]))))`;

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

/**
 * The snippet's tail for each other VM: chunks of the fields, while there are some left, once
 * `wpm.go` says the value is a package set. A VM may be started before the first knows (see
 * evaluator.ts): it imports the file meanwhile, which is most of its start for a large set.
 */
export const CHUNK_SNIPPET = `
local wpmFields = std.objectFields(wpmValue);
if std.native('wpm.go')(std.type(wpmEntry)) then ${CHUNK_LOOP} else []
`;

/**
 * Which chunks are handed out, shared by the VMs of one evaluation on whatever thread they run
 * (an Int32Array over a SharedArrayBuffer): the next field, the count of fields (-1 until the
 * first VM knows it), and whether a VM failed (then every VM's next native call fails).
 */
export class ChunkControl {
  private readonly cells: Int32Array;

  /** A new control, the count not known yet. Workers wrap its buffer. */
  static create(): ChunkControl {
    const control = new ChunkControl(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
    control.setCount(-1);
    return control;
  }

  constructor(readonly buffer: SharedArrayBuffer) {
    this.cells = new Int32Array(buffer);
  }

  setCount(count: number): void {
    Atomics.store(this.cells, 1, count);
  }

  /** The next chunk as [from, to], or [] once every field is handed out (or a VM failed). */
  take(): number[] {
    const count = Atomics.load(this.cells, 1);
    if (count < 0 || this.failed()) return [];
    const from = Atomics.add(this.cells, 0, CHUNK);
    return from >= count ? [] : [from, Math.min(count, from + CHUNK)];
  }

  /** Every chunk is handed out, or a VM failed: a VM starting now has nothing to do. */
  exhausted(): boolean {
    const count = Atomics.load(this.cells, 1);
    return this.failed() || (count >= 0 && Atomics.load(this.cells, 0) >= count);
  }

  fail(): void {
    Atomics.store(this.cells, 2, 1);
  }

  failed(): boolean {
    return Atomics.load(this.cells, 2) !== 0;
  }
}

/** The values the VMs hand back, chunk by chunk, as JSON (parsed at the end, off the VMs' way). */
export class ChunkValues {
  private readonly handedBack: { from: number; json: string }[] = [];

  add(from: number, json: string): void {
    this.handedBack.push({ from, json });
  }

  /** Once every VM has succeeded: the object, its fields in std.objectFields order. */
  value(fields: string[]): Json {
    const values: (Json | undefined)[] = new Array(fields.length);
    for (const { from, json } of this.handedBack) {
      (JSON.parse(json) as Json[]).forEach((v, i) => {
        values[from + i] = v;
      });
    }
    const missing = values.findIndex((v) => v === undefined);
    if (missing >= 0) {
      throw new WpmError('ERR_EVAL', `internal error: field ${missing} of ${fields.length} was not evaluated`);
    }
    // fromEntries makes every name an own field ('__proto__' too, as JSON.parse does).
    return Object.fromEntries(fields.map((name, k) => [name, values[k]!]));
  }
}
