// Views over the guest's linear memory, and the only place that encodes and decodes it.
// memory.grow detaches the old ArrayBuffer, so every accessor checks for that first.

import { E } from './constants.js';
import { WasiErrno } from './errno.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

export class GuestMemory {
  u8: Uint8Array = new Uint8Array(0);
  dv: DataView = new DataView(new ArrayBuffer(0));
  private memory: WebAssembly.Memory | null = null;
  /** Called with the new size in bytes whenever the guest's memory grew. */
  onGrow: ((bytes: number) => void) | null = null;

  attach(memory: WebAssembly.Memory): void {
    this.memory = memory;
    this.refresh();
  }

  /** Re-create the views if the guest grew its memory since the last call. */
  refresh(): void {
    const buf = this.memory!.buffer;
    if (buf === this.u8.buffer) return;
    this.u8 = new Uint8Array(buf);
    this.dv = new DataView(buf);
    this.onGrow?.(buf.byteLength);
  }

  get byteLength(): number {
    return this.memory ? this.memory.buffer.byteLength : 0;
  }

  check(ptr: number, len: number): void {
    if (ptr < 0 || len < 0 || ptr + len > this.u8.length) throw new WasiErrno(E.FAULT);
  }

  u32(ptr: number): number {
    return this.dv.getUint32(ptr, true);
  }
  setU32(ptr: number, v: number): void {
    this.dv.setUint32(ptr, v, true);
  }
  setU64(ptr: number, v: bigint | number): void {
    this.dv.setBigUint64(ptr, typeof v === 'bigint' ? v : BigInt(v), true);
  }

  /** A guest path or name: bytes that must be UTF-8 without NUL (host paths are strings). */
  string(ptr: number, len: number): string {
    this.check(ptr, len);
    const bytes = this.u8.subarray(ptr, ptr + len);
    if (bytes.indexOf(0) !== -1) throw new WasiErrno(E.INVAL);
    try {
      return utf8.decode(bytes);
    } catch {
      throw new WasiErrno(E.ILSEQ);
    }
  }

  /** Write as much of `bytes` as fits in [ptr, ptr+cap); returns bytes written. */
  writeBytes(ptr: number, cap: number, bytes: Uint8Array): number {
    const n = Math.min(cap, bytes.length);
    this.check(ptr, n);
    this.u8.set(n === bytes.length ? bytes : bytes.subarray(0, n), ptr);
    return n;
  }

  /** The args_get/environ_get layout: pointer array plus NUL-terminated strings. */
  writeStringList(list: Uint8Array[], ptrs: number, buf: number): void {
    for (const s of list) {
      this.setU32(ptrs, buf);
      ptrs += 4;
      this.check(buf, s.length + 1);
      this.u8.set(s, buf);
      this.u8[buf + s.length] = 0;
      buf += s.length + 1;
    }
  }

  writeFilestat(ptr: number, st: Filestat): void {
    this.check(ptr, 64);
    const dv = this.dv;
    dv.setBigUint64(ptr, st.dev, true);
    dv.setBigUint64(ptr + 8, st.ino, true);
    dv.setUint8(ptr + 16, st.filetype);
    dv.setBigUint64(ptr + 24, st.nlink, true);
    dv.setBigUint64(ptr + 32, st.size, true);
    dv.setBigUint64(ptr + 40, st.atim, true);
    dv.setBigUint64(ptr + 48, st.mtim, true);
    dv.setBigUint64(ptr + 56, st.ctim, true);
  }
}

export interface Filestat {
  dev: bigint;
  ino: bigint;
  filetype: number;
  nlink: bigint;
  size: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}

export function encodeUtf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}
