// Unpacks a NAR stream onto disk. All-or-nothing: the tree is built in a hidden temporary
// sibling of the destination and renamed into place only after the whole NAR parsed and was
// written, so a bad or truncated NAR never leaves anything at the destination.
//
// Writes are synchronous for the same reason the dump's reads are: many small files.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WpmError, isWpmError } from '../../util/errors.js';
import { type NarVisitor, parseNar } from '../format/index.js';
import { removeTreeSync } from '../tree/remove-tree.js';

const SLASH = Buffer.from('/');
const CREATE_FLAGS =
  fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

function ioError(err: unknown, p: Buffer | string, what: string): WpmError {
  const code = (err as NodeJS.ErrnoException)?.code ?? 'EIO';
  return new WpmError('ERR_NAR_RESTORE_FAILED', `cannot ${what} ${p.toString()}: ${code}`, { cause: err });
}

function io<T>(p: Buffer | string, what: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw ioError(err, p, what);
  }
}

class RestoreVisitor implements NarVisitor {
  readonly #dirs: Buffer[] = [];
  #next: Buffer; // where the next node goes
  #fd = -1;

  constructor(root: string) {
    this.#next = Buffer.from(root);
  }

  file(executable: boolean, _size: number): void {
    const p = this.#next;
    this.#fd = io(p, 'create', () => fs.openSync(p, CREATE_FLAGS, executable ? 0o755 : 0o644));
  }

  contents(chunk: Uint8Array): void {
    for (let off = 0; off < chunk.length; ) {
      off += io(this.#next, 'write', () => fs.writeSync(this.#fd, chunk, off, chunk.length - off));
    }
  }

  endFile(): void {
    this.close();
  }

  symlink(target: Uint8Array): void {
    const p = this.#next;
    io(p, 'create the symlink', () => fs.symlinkSync(Buffer.from(target), p));
  }

  startDirectory(): void {
    const p = this.#next;
    io(p, 'create the directory', () => fs.mkdirSync(p, { mode: 0o755 }));
    this.#dirs.push(p);
  }

  entry(name: Uint8Array): void {
    // The parser has already refused names with '/', '.', '..' or NUL, so this stays inside.
    this.#next = Buffer.concat([this.#dirs[this.#dirs.length - 1], SLASH, name]);
  }

  endDirectory(): void {
    this.#dirs.pop();
  }

  close(): void {
    if (this.#fd >= 0) {
      const fd = this.#fd;
      this.#fd = -1;
      io(this.#next, 'close', () => fs.closeSync(fd));
    }
  }
}

/**
 * Restores the NAR read from `source` at `destPath`, which must not exist yet (its parent must).
 * Note: an empty directory created at `destPath` by someone else during the restore would be
 * replaced by the rename, as rename(2) allows; the store serialises writers with its own lock.
 */
export async function restoreNar(source: AsyncIterable<Uint8Array>, destPath: string): Promise<void> {
  const dest = path.resolve(destPath);
  if (fs.existsSync(dest) || isSymlink(dest)) {
    throw new WpmError('ERR_NAR_DEST_EXISTS', `cannot restore into ${dest}: it already exists`);
  }
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.wpm-restore-${process.pid}-${randomBytes(6).toString('hex')}`);
  const visitor = new RestoreVisitor(tmp);
  try {
    await parseNar(source, visitor);
    io(dest, 'move the restored tree to', () => fs.renameSync(tmp, dest));
  } catch (err) {
    try {
      visitor.close();
    } catch {
      // The original error is the one worth reporting.
    }
    removeTreeSync(tmp);
    if (isWpmError(err)) throw err;
    throw new WpmError('ERR_NAR_RESTORE_FAILED', `cannot restore a NAR into ${dest}`, { cause: err });
  }
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
