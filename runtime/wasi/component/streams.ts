// wasi:io (error, poll, streams) over preview1 file descriptors. Streams are always ready:
// the host is synchronous, so "blocking" and non-blocking calls do the same thing.

import type { VirtualClock } from '../context.js';
import { type P1Bridge, P1Error, DATA, IOV, OUT } from './bridge.js';
import { errorCode } from './error-code.js';

/** What jco's bindings expect a host to throw for an `err` result: an object with `payload`. */
export class Thrown {
  constructor(readonly payload: unknown) {}
}

export class IoError {
  constructor(readonly code: string) {}
  toDebugString(): string {
    return this.code;
  }
}

export class Pollable {
  /** deadline null = always ready (streams); else a monotonic instant. */
  constructor(private clock: VirtualClock, readonly deadline: bigint | null) {}
  ready(): boolean {
    return this.deadline === null || this.clock.peek() >= this.deadline;
  }
  /** Time is virtual: waiting is moving the clock, as preview1's poll_oneoff does. */
  block(): void {
    if (this.deadline !== null) this.clock.advanceTo(this.deadline);
  }
}

export function poll(list: Pollable[]): Uint32Array {
  const readyNow = (): number[] => list.flatMap((p, i) => (p.ready() ? [i] : []));
  let ready = readyNow();
  if (ready.length === 0) {
    // Nothing is ready, so only clocks are waited on: jump to the earliest deadline.
    let first: Pollable | null = null;
    for (const p of list) if (p.deadline !== null && (first === null || p.deadline < first.deadline!)) first = p;
    first?.block();
    ready = readyNow();
  }
  return Uint32Array.from(ready);
}

function streamFailure(err: unknown): never {
  if (err instanceof P1Error) throw new Thrown({ tag: 'last-operation-failed', val: new IoError(errorCode(err.errno)) });
  throw err;
}

const closed = (): Thrown => new Thrown({ tag: 'closed' });
const CHUNK = 1 << 20;

export interface StreamTarget {
  fd: number;
  /** Position for pread/pwrite; null = the fd's own position (stdio). */
  offset: bigint | null;
  append?: boolean;
}

export class InputStream {
  constructor(private b: P1Bridge, private src: StreamTarget) {}

  read(len: bigint): Uint8Array {
    const n = Number(len > BigInt(CHUNK) ? BigInt(CHUNK) : len);
    if (n === 0) return new Uint8Array(0);
    const b = this.b;
    b.ensure(DATA + n);
    b.dv.setUint32(IOV, DATA, true);
    b.dv.setUint32(IOV + 4, n, true);
    try {
      if (this.src.offset === null) b.call('fd_read', this.src.fd, IOV, 1, OUT);
      else b.call('fd_pread', this.src.fd, IOV, 1, this.src.offset, OUT);
    } catch (err) {
      streamFailure(err);
    }
    const got = b.u32(OUT);
    if (got === 0) throw closed();
    if (this.src.offset !== null) this.src.offset += BigInt(got);
    return b.u8.slice(DATA, DATA + got);
  }
  blockingRead(len: bigint): Uint8Array {
    return this.read(len);
  }
  skip(len: bigint): bigint {
    return BigInt(this.read(len).length);
  }
  blockingSkip(len: bigint): bigint {
    return this.skip(len);
  }
  subscribe(): Pollable {
    return new Pollable(this.b.ctx.clock, null);
  }
}

export class OutputStream {
  constructor(private b: P1Bridge, private dst: StreamTarget) {}

  checkWrite(): bigint {
    return BigInt(CHUNK);
  }
  write(contents: Uint8Array): void {
    const b = this.b;
    let off = 0;
    do {
      const n = Math.min(CHUNK, contents.length - off);
      b.ensure(DATA + n);
      b.u8.set(contents.subarray(off, off + n), DATA);
      b.dv.setUint32(IOV, DATA, true);
      b.dv.setUint32(IOV + 4, n, true);
      try {
        if (this.dst.append) {
          b.call('fd_filestat_get', this.dst.fd, OUT);
          b.call('fd_pwrite', this.dst.fd, IOV, 1, b.u64(OUT + 32), OUT);
        } else if (this.dst.offset === null) {
          b.call('fd_write', this.dst.fd, IOV, 1, OUT);
        } else {
          b.call('fd_pwrite', this.dst.fd, IOV, 1, this.dst.offset, OUT);
        }
      } catch (err) {
        streamFailure(err);
      }
      const wrote = b.u32(OUT);
      if (this.dst.offset !== null && !this.dst.append) this.dst.offset += BigInt(wrote);
      off += wrote;
      if (wrote === 0 && n > 0) throw closed();
    } while (off < contents.length);
  }
  blockingWriteAndFlush(contents: Uint8Array): void {
    this.write(contents);
  }
  flush(): void {}
  blockingFlush(): void {}
  writeZeroes(len: bigint): void {
    this.write(new Uint8Array(Number(len)));
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.writeZeroes(len);
  }
  splice(src: InputStream, len: bigint): bigint {
    const data = src.read(len);
    this.write(data);
    return BigInt(data.length);
  }
  blockingSplice(src: InputStream, len: bigint): bigint {
    return this.splice(src, len);
  }
  subscribe(): Pollable {
    return new Pollable(this.b.ctx.clock, null);
  }
}
