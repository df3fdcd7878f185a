// The standard streams of a run: stdin (a buffer, or the host's stdin for `wpm run`) and the
// sinks behind stdout and stderr (discarded, a log file cut at the log limit, or the host's own
// streams).

import { FILETYPE, RIGHTS, RIGHTS_TTY } from './constants.js';
import { GuestStopped } from './errno.js';
import { Fd, type FdContext } from './fds.js';
import type { HostFs } from './host-fs.js';
import { encodeUtf8, type Filestat } from './memory.js';

/**
 * A stdio stream is no file: it has no device, inode, links, size or times, only its type. These
 * are the answers a WASI 0.2 component gets through the preview1 adapter (which answers for stdio
 * itself), so a program sees one world under either ABI.
 */
const stdioStat = (filetype: number): Filestat => ({
  dev: 0n, ino: 0n, filetype, nlink: 0n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n,
});

/**
 * What a stdio stream is to the guest. wasi-libc's isatty() is "a character device without seek
 * rights", and programs such as the sqlite3 shell switch to an interactive mode (prompts, banner)
 * on a terminal. A host stream given to `wpm run` is a terminal only if the host's is, as in
 * wasmtime (a pipe or file is UNKNOWN). A build step's streams are a buffer and log files, so
 * never a terminal: the same fixed answer everywhere, and what a Nix builder's pipe would say.
 */
function stdioFiletype(fs: HostFs, inheritedHostFd: number | null): number {
  return inheritedHostFd !== null && fs.isatty(inheritedHostFd) ? FILETYPE.CHARACTER_DEVICE : FILETYPE.UNKNOWN;
}

/** stdin: a byte buffer given up front, or the host's real stdin for `wpm run`. */
export class StdinFd extends Fd {
  readonly filetype: number;
  private pos = 0;
  constructor(private readonly fs: HostFs, private data: Uint8Array, private inherit: boolean) {
    super();
    this.filetype = stdioFiletype(fs, inherit ? 0 : null);
    this.rightsBase = RIGHTS_TTY & ~RIGHTS.FD_WRITE;
  }
  override read(ctx: FdContext, ptr: number, len: number): number {
    ctx.mem.check(ptr, len);
    if (this.inherit) return readHostStdin(this.fs, ctx.mem.u8, ptr, len);
    const n = Math.min(len, this.data.length - this.pos);
    ctx.mem.u8.set(this.data.subarray(this.pos, this.pos + n), ptr);
    this.pos += n;
    return n;
  }
  override readable(): number {
    return this.inherit ? 1 : this.data.length - this.pos;
  }
  filestat(): Filestat {
    return stdioStat(this.filetype);
  }
}

function readHostStdin(fs: HostFs, u8: Uint8Array, ptr: number, len: number): number {
  for (;;) {
    try {
      return fs.readSync(0, u8, ptr, len, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EOF') return 0;
      if (code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

/** stdout/stderr: discarded, the host's own fd 1/2, or appended to a log file. */
export class SinkFd extends Fd {
  readonly filetype: number;
  constructor(private readonly fs: HostFs, private hostFd: number | null) {
    super();
    // fds 1 and 2 are only ever the host's own (`inherit`); log files get fresh descriptors.
    this.filetype = stdioFiletype(fs, hostFd === 1 || hostFd === 2 ? hostFd : null);
    this.rightsBase = RIGHTS_TTY & ~RIGHTS.FD_READ;
  }
  override write(ctx: FdContext, ptr: number, len: number): number {
    ctx.mem.check(ptr, len);
    if (this.hostFd === null) return len;
    // A log file (not the host's own stdio) holds at most the log limit; then it says it was cut.
    const allowed = this.hostFd !== 1 && this.hostFd !== 2 ? ctx.log.take(len) : len;
    this.writeAll(ctx.mem.u8, ptr, allowed);
    if (allowed < len) {
      const notice = encodeUtf8(`\nwpm: the log was cut here, at ${ctx.log.limit} bytes (the step's log limit); the step was stopped\n`);
      this.writeAll(notice, 0, notice.length);
      throw new GuestStopped('log');
    }
    return len;
  }
  private writeAll(bytes: Uint8Array, ptr: number, len: number): void {
    if (this.hostFd === null) return;
    let done = 0;
    while (done < len) {
      try {
        done += this.fs.writeSync(this.hostFd, bytes, ptr + done, len - done);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      }
    }
  }
  filestat(): Filestat {
    return stdioStat(this.filetype);
  }
}

