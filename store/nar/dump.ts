// Serialises a directory tree on disk as a NAR, the same bytes as `nix-store --dump`.
//
// The walk uses synchronous fs calls on purpose: a tree of many small files costs four system
// calls per file, and through libuv's thread pool each would also cost a round trip between
// threads. The walk yields to the event loop every few milliseconds so a long dump does not
// starve other work in the process. Only large files are read asynchronously (see #readLarge).

import * as fs from 'node:fs';
import { WpmError } from '../../util/errors.js';
import { NarWriter, type NarVisitor } from '../format/index.js';

/** Files are read in chunks of this size: large enough that per-call overhead vanishes. */
const READ_CHUNK = 1024 * 1024;
/** Files this large are read ahead on the thread pool while the previous chunk is hashed. */
const OVERLAP_FROM = 8 * READ_CHUNK;
const YIELD_EVERY_MS = 20;
const SLASH = Buffer.from('/');
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

export interface DumpOptions {
  /**
   * Whether `emit` may keep the chunks it is given (true, the default for dumpPath: every read
   * gets a fresh buffer) or consumes them before returning (false: one read buffer is reused,
   * as hashing and scanning do).
   */
  emitKeepsChunks?: boolean;
  /**
   * Which entries below the root to take, by path relative to the root ('/'-separated) and
   * whether the entry is a directory (default: all). A copy of a source tree leaves some out.
   */
  filter?: (relPath: string, isDir: boolean) => boolean;
  /**
   * Receives the tree as events as it is read, besides the NAR going to `emit`: a TreeWriter
   * copies the tree this way while its NAR is hashed, each file read once. Its chunks are
   * only valid during the call.
   */
  tee?: NarVisitor;
}

function ioError(err: unknown, path: Buffer, what: string): WpmError {
  const code = (err as NodeJS.ErrnoException)?.code ?? 'EIO';
  return new WpmError('ERR_NAR_IO', `cannot ${what} ${path.toString()}: ${code}`, { cause: err });
}

function shrank(path: Buffer): WpmError {
  return new WpmError('ERR_NAR_FILE_CHANGED', `${path.toString()} shrank while it was being archived`);
}

function unsupported(path: Buffer, kind: string): WpmError {
  return new WpmError('ERR_NAR_UNSUPPORTED_FILE', `cannot archive ${path.toString()}: it is a ${kind}`, {
    hint: 'store objects may only hold regular files, directories and symlinks',
  });
}

function kindOf(s: { isFIFO(): boolean; isSocket(): boolean; isBlockDevice(): boolean; isCharacterDevice(): boolean }): string {
  if (s.isFIFO()) return 'FIFO';
  if (s.isSocket()) return 'socket';
  if (s.isBlockDevice()) return 'block device';
  if (s.isCharacterDevice()) return 'character device';
  return 'special file';
}

type NodeKind = 'file' | 'directory' | 'symlink';

class TreeDumper {
  readonly #writer: NarWriter;
  readonly #fresh: boolean;
  readonly #pending: Promise<void>[] = [];
  readonly #readBuffers: [Buffer?, Buffer?] = [];
  readonly #filter: DumpOptions['filter'];
  readonly #tee: NarVisitor | undefined;
  #rootLength = 0;
  #lastYield = Date.now();

  constructor(emit: (chunk: Uint8Array) => void | Promise<void>, opts: DumpOptions) {
    this.#fresh = opts.emitKeepsChunks ?? true;
    this.#filter = opts.filter;
    this.#tee = opts.tee;
    this.#writer = new NarWriter((chunk) => {
      const r = emit(chunk);
      if (r) this.#pending.push(r);
    });
  }

  /** Waits for the sink (backpressure) and now and then for the event loop. */
  async #settle(): Promise<void> {
    if (this.#pending.length > 0) {
      const results = await Promise.allSettled(this.#pending.splice(0));
      for (const r of results) if (r.status === 'rejected') throw r.reason;
    }
    if (Date.now() - this.#lastYield >= YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.#lastYield = Date.now();
    }
  }

  /** Hands a tee's answer to #settle (a promise is backpressure). */
  #teed(r: void | Promise<void>): void {
    if (r) this.#pending.push(r);
  }

  async dump(root: string): Promise<void> {
    const rootPath = Buffer.from(root);
    this.#rootLength = rootPath.length;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(rootPath);
    } catch (err) {
      throw ioError(err, rootPath, 'read');
    }
    const kind: NodeKind | undefined = stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : stat.isSymbolicLink() ? 'symlink' : undefined;
    if (!kind) throw unsupported(rootPath, kindOf(stat));

    // Explicit stack instead of recursion: deep trees must not exhaust the JS stack.
    const stack: { path: Buffer; entries: fs.Dirent<Buffer>[]; next: number }[] = [];
    const visit = async (path: Buffer, k: NodeKind): Promise<void> => {
      if (k === 'file') await this.#file(path);
      else if (k === 'symlink') this.#symlink(path);
      else {
        this.#writer.startDirectory();
        this.#teed(this.#tee?.startDirectory?.());
        stack.push({ path, entries: this.#list(path), next: 0 });
      }
      await this.#settle();
    };

    await visit(rootPath, kind);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next > 0) {
        this.#writer.endEntry();
        this.#teed(this.#tee?.endEntry?.());
      }
      if (top.next === top.entries.length) {
        stack.pop();
        this.#writer.endDirectory();
        this.#teed(this.#tee?.endDirectory?.());
        continue;
      }
      const dirent = top.entries[top.next++];
      const path = Buffer.concat([top.path, SLASH, dirent.name]);
      const k: NodeKind | undefined = dirent.isFile() ? 'file' : dirent.isDirectory() ? 'directory' : dirent.isSymbolicLink() ? 'symlink' : undefined;
      if (!k) throw unsupported(path, kindOf(dirent));
      this.#writer.entry(dirent.name);
      this.#teed(this.#tee?.entry?.(dirent.name));
      await visit(path, k);
    }
    this.#writer.end();
    await this.#settle();
  }

  #list(path: Buffer): fs.Dirent<Buffer>[] {
    let entries: fs.Dirent<Buffer>[];
    try {
      entries = fs.readdirSync(path, { withFileTypes: true, encoding: 'buffer' });
    } catch (err) {
      throw ioError(err, path, 'list');
    }
    const filter = this.#filter;
    if (filter) {
      const dir = path.subarray(this.#rootLength + 1).toString();
      entries = entries.filter((e) => filter(dir === '' ? e.name.toString() : `${dir}/${e.name.toString()}`, e.isDirectory()));
    }
    // NAR order is by raw bytes; a JS string sort would order by UTF-16 code units instead.
    return entries.sort((a, b) => Buffer.compare(a.name, b.name));
  }

  #symlink(path: Buffer): void {
    let target: Buffer;
    try {
      target = fs.readlinkSync(path, { encoding: 'buffer' });
    } catch (err) {
      throw ioError(err, path, 'read the symlink');
    }
    this.#writer.symlink(target);
    this.#teed(this.#tee?.symlink?.(target));
  }

  async #file(path: Buffer): Promise<void> {
    let fd: number;
    try {
      // O_NOFOLLOW and O_NONBLOCK: if the entry was swapped for a symlink or FIFO since it was
      // listed, fail or return at once rather than follow it or block forever.
      fd = fs.openSync(path, OPEN_FLAGS);
    } catch (err) {
      throw ioError(err, path, 'open');
    }
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) throw unsupported(path, kindOf(stat));
      // Like Nix, only the owner's execute bit decides whether a file is executable.
      const executable = (stat.mode & 0o100) !== 0;
      this.#writer.file(executable, stat.size);
      this.#teed(this.#tee?.file?.(executable, stat.size));
      if (stat.size < OVERLAP_FROM) await this.#readSync(fd, path, stat.size);
      else await this.#readLarge(fd, path, stat.size);
      this.#teed(this.#tee?.endFile?.());
    } finally {
      fs.closeSync(fd);
    }
  }

  #contents(chunk: Buffer): void {
    this.#writer.contents(chunk);
    this.#teed(this.#tee?.contents?.(chunk));
  }

  #buffer(size: number, slot: 0 | 1): Buffer {
    if (this.#fresh) return Buffer.allocUnsafe(size);
    return (this.#readBuffers[slot] ??= Buffer.allocUnsafe(READ_CHUNK));
  }

  /** Synchronous reads: below OVERLAP_FROM a thread-pool round trip costs more than it saves. */
  async #readSync(fd: number, path: Buffer, size: number): Promise<void> {
    for (let pos = 0; pos < size; ) {
      const want = Math.min(READ_CHUNK, size - pos);
      const buf = this.#buffer(want, 0);
      for (let have = 0; have < want; ) {
        let n: number;
        try {
          n = fs.readSync(fd, buf, have, want - have, pos + have);
        } catch (err) {
          throw ioError(err, path, 'read');
        }
        if (n === 0) throw shrank(path);
        have += n;
      }
      this.#contents(buf.subarray(0, want));
      pos += want;
      if (pos < size) await this.#settle();
    }
  }

  /**
   * Large files: the next chunk is read on libuv's thread pool while this one is hashed on the
   * main thread, so reading and hashing overlap instead of taking turns.
   */
  async #readLarge(fd: number, path: Buffer, size: number): Promise<void> {
    const read = (slot: 0 | 1, pos: number): Promise<{ buf: Buffer; n: number }> => {
      const want = Math.min(READ_CHUNK, size - pos);
      const buf = this.#buffer(want, slot);
      return new Promise((resolve, reject) =>
        fs.read(fd, buf, 0, want, pos, (err, n) => (err ? reject(ioError(err, path, 'read')) : resolve({ buf, n }))),
      );
    };
    let pos = 0;
    let slot: 0 | 1 = 0;
    let next = read(slot, 0);
    while (pos < size) {
      const { buf, n } = await next;
      if (n === 0) throw shrank(path);
      pos += n;
      slot = slot === 0 ? 1 : 0;
      if (pos < size) next = read(slot, pos);
      try {
        this.#contents(buf.subarray(0, n));
        await this.#settle();
      } catch (err) {
        // Let the read in flight finish before the caller closes the descriptor under it.
        if (pos < size) await next.catch(() => undefined);
        throw err;
      }
    }
  }

}

/**
 * Streams the NAR of `hostPath` (file, directory or symlink; symlinks are never followed) to
 * `emit`, awaiting it when it returns a promise.
 */
export async function dumpPath(
  hostPath: string,
  emit: (chunk: Uint8Array) => void | Promise<void>,
  opts: DumpOptions = {},
): Promise<void> {
  await new TreeDumper(emit, opts).dump(hostPath);
}
