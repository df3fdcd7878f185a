// Streaming NAR encoder. The caller walks a tree (disk, memory, a WASI sandbox) and reports it as
// events; the writer checks the events form a valid, canonical NAR and emits its bytes.
//
//   w.file(executable, size); w.contents(chunk)...      // the file closes itself after `size` bytes
//   w.symlink(target);
//   w.startDirectory(); w.entry(name); <node>; w.endEntry(); ...; w.endDirectory();
//   w.end();                                             // after the root node; flushes
//
// Small tokens are gathered into one buffer so a sink (e.g. a hash) sees few large chunks.
// Contents chunks of 16 KiB or more are passed to `emit` as they are, without copying: `emit`
// must be done with a chunk before the caller reuses that memory.

import { WpmError } from '../../util/errors.js';
import { MAX_DEPTH, NAR_MAGIC, badEntryName, compareNames, describeName, padding } from './nar-wire.js';

function encodeStrings(...strings: string[]): Buffer {
  const parts: Buffer[] = [];
  for (const s of strings) {
    const bytes = Buffer.from(s, 'utf8');
    const len = Buffer.alloc(8);
    len.writeUInt32LE(bytes.length, 0);
    parts.push(len, bytes, Buffer.alloc(padding(bytes.length)));
  }
  return Buffer.concat(parts);
}

const MAGIC = encodeStrings(NAR_MAGIC);
const REGULAR = encodeStrings('(', 'type', 'regular', 'contents');
const EXECUTABLE = encodeStrings('(', 'type', 'regular', 'executable', '', 'contents');
const SYMLINK = encodeStrings('(', 'type', 'symlink', 'target');
const DIRECTORY = encodeStrings('(', 'type', 'directory');
const ENTRY = encodeStrings('entry', '(', 'name');
const NODE = encodeStrings('node');
const CLOSE = encodeStrings(')');
const ZEROS = Buffer.alloc(8);

const SCRATCH_SIZE = 64 * 1024;
const DIRECT_THRESHOLD = 16 * 1024;

interface DirFrame {
  lastName: Uint8Array | undefined;
  inEntry: boolean;
}

function stateError(message: string): WpmError {
  return new WpmError('ERR_NAR_WRITER_STATE', `NAR writer misuse: ${message}`);
}

export class NarWriter {
  readonly #emit: (chunk: Uint8Array) => void;
  #scratch = Buffer.allocUnsafe(SCRATCH_SIZE);
  #used = 0;
  #started = false;
  #expectNode = true;
  #rootDone = false;
  #fileRemaining = -1; // bytes still due for the open file, -1 when no file is open
  #filePad = 0;
  readonly #dirs: DirFrame[] = [];

  constructor(emit: (chunk: Uint8Array) => void) {
    this.#emit = emit;
  }

  file(executable: boolean, size: number): void {
    if (!Number.isSafeInteger(size) || size < 0) throw stateError(`bad file size ${size}`);
    this.#beginNode();
    this.#write(executable ? EXECUTABLE : REGULAR);
    this.#writeU64(size);
    this.#fileRemaining = size;
    this.#filePad = padding(size);
    if (size === 0) this.#finishFile();
  }

  contents(chunk: Uint8Array): void {
    if (this.#fileRemaining < 0) throw stateError('contents() without an open file');
    if (chunk.length > this.#fileRemaining) {
      throw stateError(`contents exceed the declared file size by ${chunk.length - this.#fileRemaining} bytes`);
    }
    this.#write(chunk);
    this.#fileRemaining -= chunk.length;
    if (this.#fileRemaining === 0) this.#finishFile();
  }

  symlink(target: string | Uint8Array): void {
    const bytes = typeof target === 'string' ? Buffer.from(target, 'utf8') : target;
    if (bytes.length === 0 || bytes.includes(0)) throw stateError('symlink target is empty or contains NUL');
    this.#beginNode();
    this.#write(SYMLINK);
    this.#writeString(bytes);
    this.#write(CLOSE);
    this.#endNode();
  }

  startDirectory(): void {
    if (this.#dirs.length >= MAX_DEPTH) throw stateError(`directories nested deeper than ${MAX_DEPTH}`);
    this.#beginNode();
    this.#write(DIRECTORY);
    this.#dirs.push({ lastName: undefined, inEntry: false });
  }

  entry(name: string | Uint8Array): void {
    const bytes = typeof name === 'string' ? Buffer.from(name, 'utf8') : name;
    const dir = this.#openDir('entry()');
    if (dir.inEntry) throw stateError('entry() before endEntry() of the previous entry');
    const why = badEntryName(bytes);
    if (why) throw new WpmError('ERR_NAR_BAD_NAME', `cannot write entry ${describeName(bytes)}: ${why}`);
    if (dir.lastName && compareNames(dir.lastName, bytes) >= 0) {
      throw new WpmError(
        'ERR_NAR_UNSORTED',
        `entry ${describeName(bytes)} does not sort after ${describeName(dir.lastName)}`,
        { hint: 'entries must be strictly increasing by the bytes of their names' },
      );
    }
    dir.lastName = bytes;
    dir.inEntry = true;
    this.#write(ENTRY);
    this.#writeString(bytes);
    this.#write(NODE);
    this.#expectNode = true;
  }

  endEntry(): void {
    const dir = this.#openDir('endEntry()');
    if (!dir.inEntry || this.#expectNode) throw stateError('endEntry() before the entry has a complete node');
    dir.inEntry = false;
    this.#write(CLOSE);
  }

  endDirectory(): void {
    const dir = this.#openDir('endDirectory()');
    if (dir.inEntry) throw stateError('endDirectory() inside an unfinished entry');
    this.#dirs.pop();
    this.#write(CLOSE);
    this.#endNode();
  }

  /** Checks the NAR is complete and hands out any buffered bytes. */
  end(): void {
    if (!this.#rootDone) throw stateError('end() before the root node is complete');
    this.#flush();
  }

  #openDir(what: string): DirFrame {
    const dir = this.#dirs[this.#dirs.length - 1];
    if (!dir || this.#fileRemaining >= 0) throw stateError(`${what} outside a directory`);
    return dir;
  }

  #beginNode(): void {
    if (!this.#expectNode || this.#fileRemaining >= 0) {
      throw stateError(this.#rootDone ? 'a second root node' : 'a node where none is expected (missing entry()?)');
    }
    if (!this.#started) {
      this.#started = true;
      this.#write(MAGIC);
    }
    this.#expectNode = false;
  }

  #endNode(): void {
    if (this.#dirs.length === 0) this.#rootDone = true;
  }

  #finishFile(): void {
    this.#fileRemaining = -1;
    this.#write(ZEROS.subarray(0, this.#filePad));
    this.#write(CLOSE);
    this.#endNode();
  }

  #writeString(bytes: Uint8Array): void {
    this.#writeU64(bytes.length);
    this.#write(bytes);
    this.#write(ZEROS.subarray(0, padding(bytes.length)));
  }

  #writeU64(n: number): void {
    if (this.#used + 8 > this.#scratch.length) this.#flush();
    this.#scratch.writeUInt32LE(n >>> 0, this.#used);
    this.#scratch.writeUInt32LE(Math.floor(n / 0x1_0000_0000), this.#used + 4);
    this.#used += 8;
  }

  #write(bytes: Uint8Array): void {
    if (bytes.length >= DIRECT_THRESHOLD) {
      this.#flush();
      this.#emit(bytes);
      return;
    }
    if (this.#used + bytes.length > this.#scratch.length) this.#flush();
    this.#scratch.set(bytes, this.#used);
    this.#used += bytes.length;
  }

  #flush(): void {
    if (this.#used === 0) return;
    const chunk = this.#scratch.subarray(0, this.#used);
    // Never write over flushed bytes: the sink may keep the chunk (e.g. a stream's write queue).
    // Carry on in the unused tail of the buffer while it is large enough, else take a fresh one.
    const rest = this.#scratch.subarray(this.#used);
    this.#scratch = rest.length >= DIRECT_THRESHOLD ? rest : Buffer.allocUnsafe(SCRATCH_SIZE);
    this.#used = 0;
    this.#emit(chunk);
  }
}
