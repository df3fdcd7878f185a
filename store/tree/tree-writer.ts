// Writes a tree from NAR events (a NAR being parsed, or a host tree being walked), in one pass:
// each file is created, written and closed once. As a store object (`normalize`), every entry
// gets its final form as it is made — files 0444 or 0555, directories 0555 once their entries
// are in, every mtime 1 s after the epoch — so there is no second walk to normalise it, and each
// finished file and directory goes to the flush batch, which makes the tree durable with the
// rest of its batch. As a plain tree (`wpm nar restore`), entries get the modes the umask gives,
// as `nix-store --restore` does.
//
// Writes are synchronous: a tree is mostly small files, for which a round trip to libuv's pool
// costs more than the write; large files are fsynced early by the batch instead.
import fs from 'node:fs';
import { WpmError } from '../../util/index.js';
import type { FlushBatch } from './flush-batch.js';

const SLASH = Buffer.from('/');
const CREATE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
const EPOCH_PLUS_ONE = 1; // seconds, for futimes/utimes

/** The process's umask, read once: creation modes that it would change are set again with fchmod. */
let umask: number | undefined;
function currentUmask(): number {
  if (umask === undefined) {
    try {
      umask = process.umask();
    } catch {
      umask = 0o777; // unknown (a worker thread on some platforms): always chmod
    }
  }
  return umask;
}

function ioError(err: unknown, p: Buffer, what: string): WpmError {
  const code = (err as NodeJS.ErrnoException)?.code ?? 'EIO';
  return new WpmError('ERR_NAR_RESTORE_FAILED', `cannot ${what} ${p.toString()}: ${code}`, { cause: err });
}

function io<T>(p: Buffer, what: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw ioError(err, p, what);
  }
}

export interface TreeWriterOptions {
  /** Write a store object: read-only modes, fixed mtimes (default false: a plain tree). */
  normalize?: boolean;
  /** Where finished files and directories go to be made durable (default: just closed). */
  batch?: FlushBatch;
}

/**
 * The NAR visitor that writes. `root` must not exist; its parent must. On failure call close()
 * and remove the tree: what was written is incomplete.
 */
export class TreeWriter {
  readonly #normalize: boolean;
  readonly #batch: FlushBatch | undefined;
  readonly #dirs: Buffer[] = [];
  #next: Buffer; // where the next node goes
  #fd = -1;
  #size = 0;

  constructor(root: string, opts: TreeWriterOptions = {}) {
    this.#next = Buffer.from(root);
    this.#normalize = opts.normalize ?? false;
    this.#batch = opts.batch;
  }

  file(executable: boolean, size: number): void {
    const p = this.#next;
    const mode = this.#normalize ? (executable ? 0o555 : 0o444) : executable ? 0o755 : 0o644;
    this.#fd = io(p, 'create', () => fs.openSync(p, CREATE_FLAGS, mode));
    this.#size = size;
    if (this.#normalize && (mode & currentUmask()) !== 0) io(p, 'set the mode of', () => fs.fchmodSync(this.#fd, mode));
  }

  contents(chunk: Uint8Array): void {
    for (let off = 0; off < chunk.length; ) {
      off += io(this.#next, 'write', () => fs.writeSync(this.#fd, chunk, off, chunk.length - off));
    }
  }

  endFile(): void | Promise<void> {
    const fd = this.#fd;
    const p = this.#next;
    this.#fd = -1;
    if (this.#normalize) io(p, 'set the time of', () => fs.futimesSync(fd, EPOCH_PLUS_ONE, EPOCH_PLUS_ONE));
    if (this.#batch) return this.#batch.fileDone(fd, p, this.#size);
    io(p, 'close', () => fs.closeSync(fd));
  }

  symlink(target: Uint8Array): void {
    const p = this.#next;
    io(p, 'create the symlink', () => fs.symlinkSync(Buffer.from(target.buffer, target.byteOffset, target.length), p));
    if (this.#normalize) io(p, 'set the time of', () => fs.lutimesSync(p, EPOCH_PLUS_ONE, EPOCH_PLUS_ONE));
  }

  startDirectory(): void {
    const p = this.#next;
    io(p, 'create the directory', () => fs.mkdirSync(p, { mode: 0o755 }));
    this.#dirs.push(p);
  }

  entry(name: Uint8Array): void {
    // Names were checked (no '/', '.', '..' or NUL) by the NAR parser or come from a directory
    // listing, so this stays inside the tree.
    this.#next = Buffer.concat([this.#dirs[this.#dirs.length - 1]!, SLASH, name]);
  }

  endDirectory(): void {
    const p = this.#dirs.pop()!;
    // Sealed after its entries: a read-only directory takes no new ones, and a new entry would
    // change its mtime again.
    if (this.#normalize) {
      io(p, 'set the mode of', () => fs.chmodSync(p, 0o555));
      io(p, 'set the time of', () => fs.utimesSync(p, EPOCH_PLUS_ONE, EPOCH_PLUS_ONE));
    }
    this.#batch?.dirDone(p);
  }

  /** Closes the file being written, if any (after a failure). */
  close(): void {
    if (this.#fd >= 0) {
      const fd = this.#fd;
      this.#fd = -1;
      fs.closeSync(fd);
    }
  }
}
