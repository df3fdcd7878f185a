// A binary cache in a local directory (file:///srv/cache). Reads are plain file reads; writes go
// to a temporary name in the same directory and are renamed into place, so a concurrent reader
// (or nginx serving the same directory) never sees half a file.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WpmError } from '../../util/index.js';
import type { BinaryCache, PutBody, ReadOptions } from './cache.js';

/** Each NAR read is a MiB at a time into a buffer of its own. */
const READ_SIZE = 1 << 20;
/**
 * Buffers of finished reads, for the next ones: a closure of hundreds of NARs then touches as many
 * fresh MiB as it has downloads in flight, not one per NAR.
 */
const spareBuffers: Buffer[] = [];
const MAX_SPARE = 16;

export class FileCache implements BinaryCache {
  readonly url: string;
  readonly root: string;

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '');
    this.root = fileURLToPath(this.url.startsWith('file://') ? this.url : `file://${path.resolve(this.url)}`);
  }

  private file(rel: string): string {
    const p = path.join(this.root, rel);
    // rel comes from narinfo URLs, which a hostile cache writes: stay inside the root.
    if (path.relative(this.root, p).startsWith('..')) throw new WpmError('ERR_CACHE_BAD_URL', `${this.url}: '${rel}' points outside the cache`);
    return p;
  }

  private ioError(err: unknown, rel: string, what: string): WpmError {
    const code = (err as NodeJS.ErrnoException)?.code ?? 'EIO';
    return new WpmError('ERR_CACHE_UNREACHABLE', `cannot ${what} ${this.url}/${rel}: ${code}`, { cause: err });
  }

  private interrupted(rel: string): WpmError {
    return new WpmError('ERR_INTERRUPTED', `reading ${this.url}/${rel}: interrupted`);
  }

  /** The file opened for reading; undefined if the cache has no such file. */
  private async open(rel: string): Promise<fs.promises.FileHandle | undefined> {
    const file = this.file(rel); // throws for a path outside the cache
    try {
      return await fs.promises.open(file, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw this.ioError(err, rel, 'read');
    }
  }

  async getStream(rel: string, opts: ReadOptions = {}): Promise<AsyncIterable<Uint8Array> | undefined> {
    // A local file does not trickle: no deadline, but Ctrl-C stops a large read.
    if (opts.signal?.aborted) throw this.interrupted(rel);
    const handle = await this.open(rel);
    if (!handle) return undefined;
    if (opts.reuseChunks) return this.readReusing(handle, rel, opts.signal);
    const stream = handle.createReadStream({ highWaterMark: 1 << 20 });
    const signal = opts.signal;
    if (signal) {
      const onAbort = () => stream.destroy(this.interrupted(rel));
      signal.addEventListener('abort', onAbort, { once: true });
      // A round reads thousands of files under one signal: each listener goes with its stream.
      stream.once('close', () => signal.removeEventListener('abort', onAbort));
    }
    return stream;
  }

  /** The file read into one buffer again and again; each chunk is valid until the next is asked for. */
  private async *readReusing(handle: fs.promises.FileHandle, rel: string, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
    const buf = spareBuffers.pop() ?? Buffer.allocUnsafe(READ_SIZE);
    try {
      for (;;) {
        if (signal?.aborted) throw this.interrupted(rel);
        let n: number;
        try {
          n = (await handle.read(buf, 0, buf.length, null)).bytesRead;
        } catch (err) {
          throw this.ioError(err, rel, 'read');
        }
        if (n === 0) return;
        yield buf.subarray(0, n);
      }
    } finally {
      // The reader is done with the last chunk once it asked for the next or stopped asking.
      if (spareBuffers.length < MAX_SPARE) spareBuffers.push(buf);
      await handle.close();
    }
  }

  async getText(rel: string, maxBytes = 1 << 20, opts: ReadOptions = {}): Promise<string | undefined> {
    // Read whole: a narinfo is a few hundred bytes, and a stream would allocate its 1 MiB buffer
    // for each (a closure's worth of them made the garbage collector run for nothing).
    if (opts.signal?.aborted) throw this.interrupted(rel);
    const handle = await this.open(rel);
    if (!handle) return undefined;
    const tooBig = () => new WpmError('ERR_CACHE_TOO_BIG', `${this.url}/${rel} is larger than ${maxBytes} bytes`);
    try {
      if ((await handle.stat()).size > maxBytes) throw tooBig();
      const buf = await handle.readFile();
      if (buf.length > maxBytes) throw tooBig();
      return buf.toString('utf8');
    } catch (err) {
      if (err instanceof WpmError) throw err;
      throw this.ioError(err, rel, 'read');
    } finally {
      await handle.close();
    }
  }

  async exists(rel: string): Promise<boolean> {
    return fs.existsSync(this.file(rel));
  }

  async put(rel: string, body: PutBody): Promise<void> {
    const dest = this.file(rel);
    const tmp = path.join(path.dirname(dest), `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      if (typeof body === 'object' && 'file' in body) fs.copyFileSync(body.file, tmp);
      else fs.writeFileSync(tmp, body);
      fs.chmodSync(tmp, 0o644);
      fs.renameSync(tmp, dest);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw new WpmError('ERR_CACHE_WRITE', `cannot write ${this.url}/${rel}: ${(err as NodeJS.ErrnoException).code ?? err}`, { cause: err });
    }
  }
}
