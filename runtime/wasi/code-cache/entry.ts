// One cache entry on disk: V8's serialized code behind a header of wpm's own.
//
//   "WPMCODE1"            8 bytes, the format
//   u32 LE                length of the JSON header
//   JSON header           { key, description, size, checksum }
//   code                  `size` bytes, as CompiledWasmModule::Serialize() gave them
//
// Reading checks all of it (format, key, exact length, checksum) before V8 sees a byte, so a file
// that was cut short, damaged, or written for another key is a miss, never code run. Writing
// goes to a temporary file in the same directory and is renamed into place, so a reader sees a
// whole entry or none, whatever other processes do at the same time.

import fs from 'node:fs';
import { writeAtomically } from './layout.js';

const MAGIC = Buffer.from('WPMCODE1', 'latin1');
const PREFIX = MAGIC.length + 4;
const MAX_HEADER = 64 * 1024;

export interface EntryHeader {
  key: string;
  /** keyDescription() of the key, for people reading the cache directory. */
  description: string;
  size: number;
  checksum: string;
}

export type ReadResult = { code: Uint8Array; checksum: string } | { miss: 'absent' } | { miss: 'invalid'; why: string };

/** The entry in `file` for `key`, checked throughout with `checksum` (the addon's). */
export function readEntry(file: string, key: string, checksum: (bytes: Uint8Array) => string): ReadResult {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { miss: 'absent' };
    return { miss: 'invalid', why: `unreadable: ${(err as Error).message}` };
  }
  const invalid = (why: string): ReadResult => ({ miss: 'invalid', why });
  if (data.length < PREFIX || !data.subarray(0, MAGIC.length).equals(MAGIC)) return invalid('not a wpm code cache entry');
  const headerLength = data.readUInt32LE(MAGIC.length);
  if (headerLength > MAX_HEADER || PREFIX + headerLength > data.length) return invalid('truncated header');
  let header: EntryHeader;
  try {
    header = JSON.parse(data.subarray(PREFIX, PREFIX + headerLength).toString('utf8')) as EntryHeader;
  } catch {
    return invalid('unreadable header');
  }
  if (header.key !== key) return invalid('written for another key');
  const code = data.subarray(PREFIX + headerLength);
  if (code.length !== header.size) return invalid(`${code.length} bytes of code where the header says ${header.size}`);
  if (checksum(code) !== header.checksum) return invalid('checksum mismatch');
  return { code, checksum: header.checksum };
}

/** Write an entry atomically (see writeAtomically); returns its size on disk. */
export function writeEntry(file: string, header: Omit<EntryHeader, 'size' | 'checksum'>, code: Uint8Array, checksum: (bytes: Uint8Array) => string): number {
  const json = Buffer.from(JSON.stringify({ ...header, size: code.length, checksum: checksum(code) }), 'utf8');
  const prefix = Buffer.alloc(PREFIX);
  MAGIC.copy(prefix);
  prefix.writeUInt32LE(json.length, MAGIC.length);
  return writeAtomically(file, [prefix, json, code]);
}

/** The code size an entry's header records, read without reading the code; null if unreadable. */
export function entrySize(file: string): number | null {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const head = Buffer.alloc(PREFIX + 4096);
      const n = fs.readSync(fd, head, 0, head.length, 0);
      if (n < PREFIX || !head.subarray(0, MAGIC.length).equals(MAGIC)) return null;
      const len = head.readUInt32LE(MAGIC.length);
      if (PREFIX + len > n) return null;
      const size = (JSON.parse(head.subarray(PREFIX, PREFIX + len).toString('utf8')) as EntryHeader).size;
      return typeof size === 'number' ? size : null;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
}
