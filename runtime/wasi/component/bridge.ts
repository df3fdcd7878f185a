// The preview2 interfaces are an ABI over the preview1 host, not a second sandbox: each
// call is translated into the preview1 system call that means the same thing and run
// against the same context (namespace, fd table, clock, PRNG, output budget) through a
// small host-side scratch memory. Denials, path resolution and determinism are therefore
// those of the preview1 host by construction.

import { E } from '../constants.js';
import type { WasiContext } from '../context.js';
import { encodeUtf8 } from '../memory.js';

/** A preview1 errno raised across the bridge. */
export class P1Error {
  constructor(readonly errno: number) {}
}

type Call = (...args: never[]) => number;

/** Fixed scratch slots: result words at 0..63, one iovec at 64, variable data from 128. */
export const OUT = 0;
export const IOV = 64;
export const DATA = 128;

export class P1Bridge {
  private memory = new WebAssembly.Memory({ initial: 2 });
  u8 = new Uint8Array(this.memory.buffer);
  dv = new DataView(this.memory.buffer);

  constructor(readonly ctx: WasiContext, private calls: Record<string, Call>) {
    ctx.mem.attach(this.memory);
  }

  /** Make [0, bytes) addressable in the scratch memory. */
  ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    this.memory.grow(Math.ceil((bytes - have) / 65536));
    this.u8 = new Uint8Array(this.memory.buffer);
    this.dv = new DataView(this.memory.buffer);
  }

  /** Run a preview1 call; a non-zero errno is thrown as P1Error. */
  call(name: string, ...args: (number | bigint)[]): void {
    const fn = this.calls[name] as unknown as (...a: (number | bigint)[]) => number;
    const errno = fn(...args);
    if (errno !== E.SUCCESS) throw new P1Error(errno);
  }

  /** Put a string at DATA (+ offset); returns [ptr, len]. */
  putString(s: string, offset = 0): [number, number] {
    const b = encodeUtf8(s);
    this.ensure(DATA + offset + b.length);
    this.u8.set(b, DATA + offset);
    return [DATA + offset, b.length];
  }

  u32(ptr: number): number {
    return this.dv.getUint32(ptr, true);
  }
  u64(ptr: number): bigint {
    return this.dv.getBigUint64(ptr, true);
  }
}
