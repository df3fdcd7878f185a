// Durability for a batch of new store objects: every file and directory written for the batch
// must be on disk before any of their paths is registered, or a power cut could leave a valid
// path with empty files. SIGKILL alone needs none of this (the kernel keeps what was written);
// the flush is for the machine going down.
//
// The batch is flushed once, when all of it is written, so the journal commits it together:
// - a few entries: the files' own descriptors, kept open since they were written, are fsynced
//   all at once on libuv's pool (no second open), and the directories with them;
// - many entries (a closure, `wpm store add` of hundreds of paths): one syncfs (syncfs.ts), where
//   the machine has it, instead of thousands of fsyncs;
// - large files are fsynced as soon as they are written, while the rest of the batch is still
//   being downloaded or unpacked, so their writeback overlaps that work instead of following it.
// Measured on this machine: docs/design.md, "The store".
import fs from 'node:fs';
import { WpmError } from '../../util/index.js';
import { syncfs, syncfsAvailable } from './syncfs.js';

/** Files whose descriptors are kept open for the flush; past this many, syncfs is the plan. */
const HOLD_MAX = 64;
/** From this many entries (files and directories) one syncfs beats fsyncs issued together. */
const SYNCFS_FROM = 64;
/** Files this large are fsynced as soon as they are complete. */
const EARLY_FROM = 1 << 20;
/**
 * Early fsyncs in flight before the writer waits for the oldest. Each holds a thread of libuv's
 * pool, which the download's file reads need too.
 */
const EARLY_MAX = 2;
/** fsyncs on the pool at once when flushing file by file. */
const PARALLEL = 32;

function flushError(err: unknown, p: Buffer | string): WpmError {
  const code = (err as NodeJS.ErrnoException)?.code ?? 'EIO';
  return new WpmError('ERR_STORE_IO', `cannot flush ${p.toString()} to disk: ${code}`, { cause: err });
}

function fsyncFd(fd: number, p: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) =>
    fs.fsync(fd, (err) => {
      fs.close(fd, () => undefined);
      if (err) reject(flushError(err, p));
      else resolve();
    }),
  );
}

async function fsyncPath(p: Buffer | string, dir: boolean): Promise<void> {
  if (dir && process.platform === 'win32') return; // directories cannot be opened for fsync there
  let handle: fs.promises.FileHandle;
  try {
    // Directories are opened read-only; that is enough to fsync their entries on Linux and macOS.
    handle = await fs.promises.open(p, dir ? fs.constants.O_RDONLY | fs.constants.O_DIRECTORY : fs.constants.O_RDONLY);
  } catch (err) {
    // A tree that failed (a NAR that did not match its hash) is deleted before the batch is
    // flushed; nothing of it will be registered, so there is nothing to flush.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw flushError(err, p);
  }
  try {
    await handle.sync();
  } catch (err) {
    throw flushError(err, p);
  } finally {
    await handle.close();
  }
}

export class FlushBatch {
  readonly #durable: boolean;
  /** A directory on the file system every entry of the batch is on (where syncfs aims). */
  readonly #root: string;
  #held: { fd: number; path: Buffer }[] = [];
  /** Finished files whose descriptors are closed: flushed by syncfs, or opened again. */
  #closed: (Buffer | string)[] = [];
  #dirs: (Buffer | string)[] = [];
  #early: Promise<void>[] = [];
  #failure: unknown;

  constructor(root: string, opts: { durable: boolean }) {
    this.#root = root;
    this.#durable = opts.durable;
  }

  get durable(): boolean {
    return this.#durable;
  }

  /**
   * A file is completely written: the batch owns `fd` now. Resolves when the writer may go on
   * (a promise only while too many early fsyncs are in flight).
   */
  fileDone(fd: number, path: Buffer, size: number): void | Promise<void> {
    if (!this.#durable) {
      fs.closeSync(fd);
      return;
    }
    if (size >= EARLY_FROM) {
      this.#early.push(fsyncFd(fd, path).catch((err: unknown) => void (this.#failure ??= err)));
      if (this.#early.length > EARLY_MAX) return this.#early.shift();
      return;
    }
    if (this.#held.length < HOLD_MAX && this.#closed.length === 0) {
      this.#held.push({ fd, path });
      return;
    }
    // Many files: syncfs will do, so descriptors need not stay open.
    fs.closeSync(fd);
    this.#closed.push(path);
    if (this.#held.length > 0) this.#release();
  }

  /** A directory is complete (sealed, if it is a store object's). */
  dirDone(path: Buffer | string): void {
    if (this.#durable) this.#dirs.push(path);
  }

  /** Files and directories written by someone else (a build step's outputs), by path. */
  addTree(entries: { files: (Buffer | string)[]; dirs: (Buffer | string)[] }): void {
    if (!this.#durable) return;
    this.#closed.push(...entries.files);
    this.#dirs.push(...entries.dirs);
  }

  /** Everything handed to the batch so far is on disk when this resolves. */
  async flush(): Promise<void> {
    const early = this.#early.splice(0);
    await Promise.all(early);
    if (this.#failure !== undefined) throw this.#failure;
    const entries = this.#held.length + this.#closed.length + this.#dirs.length;
    if (entries === 0) return;
    if (entries >= SYNCFS_FROM && (await syncfsAvailable())) {
      this.#release();
      await syncfs(this.#root);
    } else {
      const work: (() => Promise<void>)[] = [
        ...this.#held.map(({ fd, path }) => () => fsyncFd(fd, path)),
        ...this.#closed.map((p) => () => fsyncPath(p, false)),
        ...this.#dirs.map((p) => () => fsyncPath(p, true)),
      ];
      this.#held = [];
      await runAll(work, PARALLEL);
    }
    this.#closed = [];
    this.#dirs = [];
  }

  /** Gives up the batch (after a failure): closes what it holds, waits for fsyncs in flight. */
  async dispose(): Promise<void> {
    for (const { fd } of this.#held) fs.closeSync(fd);
    this.#held = [];
    await Promise.all(this.#early.splice(0));
  }

  /** Closes the held descriptors, keeping their paths. */
  #release(): void {
    for (const { fd, path } of this.#held) {
      fs.closeSync(fd);
      this.#closed.push(path);
    }
    this.#held = [];
  }
}

/** Runs every task, `limit` at a time; the first failure is thrown once all have settled. */
async function runAll(work: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < work.length) {
      const task = work[next++]!;
      await task().catch((err: unknown) => void (failure ??= err));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, work.length) }, worker));
  if (failure !== undefined) throw failure;
}

/** fsync one directory, so a rename or a new entry in it survives a crash. */
export function syncDir(dir: string): void {
  if (process.platform === 'win32') return; // directories cannot be opened for fsync there
  const fd = fs.openSync(dir, fs.constants.O_RDONLY);
  try {
    fs.fsyncSync(fd);
  } catch (err) {
    throw flushError(err, dir);
  } finally {
    fs.closeSync(fd);
  }
}
