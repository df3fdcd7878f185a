// The canonical-ABI glue for one function: wasm-tools' `component-new`, as exported by the core
// module jco ships (`@bytecodealliance/jco-transpile/vendor/wasm-tools.core.wasm`, a wasip1
// reactor). It exists so builtin:component-new can run that module under wpm's own hermetic
// host instead of through jco's generated JavaScript, which would bring its own WASI shims.
// Runs inside a pool worker as the reactor's driver (runtime/wasi/reactor.ts); imports nothing.
//
//   component-new: func(binary: list<u8>, adapters: option<list<tuple<string, list<u8>>>>)
//                  -> result<list<u8>, string>
//
// Flattened (Component Model canonical ABI, "Flattening"): params (ptr, len, is-some, ptr, len),
// all i32; the result does not fit in one flat value, so the export returns a pointer to it:
// byte 0 the discriminant (0 ok, 1 err), then at offset 4 the payload's (ptr: u32, len: u32).
// A tuple<string, list<u8>> is 16 bytes, align 4: (ptr, len) of the name, then of the bytes.

const COMPONENT_NEW_EXPORT = 'local:wasm-tools/tools#component-new';
const COMPONENT_NEW_POST_RETURN = 'cabi_post_local:wasm-tools/tools#component-new';

export interface ComponentNewInput {
  /** The core module to wrap. */
  binary: Uint8Array;
  /** Adapters by the import module name they satisfy, e.g. ['wasi_snapshot_preview1', bytes]. */
  adapters: [string, Uint8Array][];
}

export type ComponentNewResult = { ok: Uint8Array } | { err: string };

type Realloc = (oldPtr: number, oldSize: number, align: number, newSize: number) => number;

function exported<T>(exports: WebAssembly.Exports, name: string, kind: 'function' | 'memory'): T {
  const v = exports[name];
  const ok = kind === 'memory' ? v instanceof WebAssembly.Memory : typeof v === 'function';
  // Named like the host's own error, so the pool reports "not a runnable … reactor: …".
  if (!ok) throw Object.assign(new Error(`the module does not export the ${kind} '${name}' (is it wasm-tools' core module?)`), { name: 'InvalidModule' });
  return v as T;
}

/** The argument area, allocated in the guest's memory by its own allocator. */
class GuestHeap {
  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly realloc: Realloc,
  ) {}

  alloc(size: number, align: number): number {
    const ptr = this.realloc(0, 0, align, size) >>> 0;
    if (size > 0 && (ptr === 0 || ptr + size > this.memory.buffer.byteLength)) {
      throw new Error(`cabi_realloc(${size}, align ${align}) returned an unusable pointer ${ptr}`);
    }
    return ptr;
  }

  /** Copy bytes in; returns (ptr, len). The memory may have grown, so its buffer is taken afresh. */
  bytes(data: Uint8Array): [number, number] {
    const ptr = this.alloc(data.byteLength, 1);
    new Uint8Array(this.memory.buffer, ptr, data.byteLength).set(data);
    return [ptr, data.byteLength];
  }

  u32(ptr: number, value: number): void {
    new DataView(this.memory.buffer).setUint32(ptr, value, true);
  }
}

/** Read `len` bytes at `ptr` out of the guest's memory (a copy), checking the bounds. */
function readOut(memory: WebAssembly.Memory, ptr: number, len: number, what: string): Uint8Array {
  if (ptr + len > memory.buffer.byteLength) {
    throw new Error(`component-new returned ${what} out of bounds (${ptr} + ${len} > ${memory.buffer.byteLength})`);
  }
  return new Uint8Array(memory.buffer.slice(ptr, ptr + len));
}

/** Lower the arguments, call component-new, lift the result, then let the guest free it. */
export function componentNew(exports: WebAssembly.Exports, input: ComponentNewInput): ComponentNewResult {
  const memory = exported<WebAssembly.Memory>(exports, 'memory', 'memory');
  const realloc = exported<Realloc>(exports, 'cabi_realloc', 'function');
  const call = exported<(...args: number[]) => number>(exports, COMPONENT_NEW_EXPORT, 'function');
  const postReturn = exported<(ret: number) => void>(exports, COMPONENT_NEW_POST_RETURN, 'function');
  const heap = new GuestHeap(memory, realloc);

  const [binPtr, binLen] = heap.bytes(input.binary);
  const list = input.adapters.length > 0 ? heap.alloc(input.adapters.length * 16, 4) : 0;
  const utf8 = new TextEncoder();
  input.adapters.forEach(([name, bytes], i) => {
    const [namePtr, nameLen] = heap.bytes(utf8.encode(name));
    const [dataPtr, dataLen] = heap.bytes(bytes);
    const base = list + i * 16;
    heap.u32(base, namePtr);
    heap.u32(base + 4, nameLen);
    heap.u32(base + 8, dataPtr);
    heap.u32(base + 12, dataLen);
  });

  // No adapters is `none`, as jco's own binding passes it.
  const some = input.adapters.length > 0 ? 1 : 0;
  const ret = call(binPtr, binLen, some, some ? list : 0, input.adapters.length) >>> 0;
  if (ret % 4 !== 0 || ret + 12 > memory.buffer.byteLength) throw new Error(`component-new returned a bad result pointer ${ret}`);
  const view = new DataView(memory.buffer);
  const tag = view.getUint8(ret);
  const ptr = view.getUint32(ret + 4, true);
  const len = view.getUint32(ret + 8, true);
  let result: ComponentNewResult;
  if (tag === 0) result = { ok: readOut(memory, ptr, len, 'a component') };
  else if (tag === 1) result = { err: new TextDecoder('utf-8', { fatal: false }).decode(readOut(memory, ptr, len, 'an error message')) };
  else throw new Error(`component-new returned an invalid result discriminant ${tag}`);
  // The result has been copied out; the guest may now free what it allocated for it.
  postReturn(ret);
  return result;
}

/** The reactor driver entry point (runtime/wasi/reactor.ts). */
export function drive(exports: WebAssembly.Exports, input: unknown): ComponentNewResult {
  return componentNew(exports, input as ComponentNewInput);
}
