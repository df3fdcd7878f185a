// The files an evaluation can read: the entry file and everything it imports, transitively.
// Jsonnet imports are string literals (jsonnet-imports.ts finds them by lexing), so they can be
// found without evaluating; they resolve like libjsonnet does: next to the importing file first,
// then the library directories. Only regular files are read: an import of a device, a FIFO or a
// directory ('/dev/zero', '/dev/stdin') is recorded, never opened, and evaluation refuses it.
import fs from 'node:fs';
import path from 'node:path';
import { findImports } from './jsonnet-imports.js';

export interface ImportedFile {
  /** The file's bytes; null when it does not exist (libjsonnet will say so) or is not a regular file. */
  bytes: Buffer | null;
  /** What it is when it exists but is not a regular file ('a character device', …). */
  notRegular?: string;
  /** Where it was first imported: file and line (none for the entry file). */
  from?: { file: string; line: number; spelled: string };
}

export interface ImportClosure {
  /** Absolute paths of every file found. */
  files: Map<string, ImportedFile>;
}

function resolveImport(from: string, spec: string, libDirs: string[]): string {
  if (path.isAbsolute(spec)) return spec;
  const local = path.resolve(path.dirname(from), spec);
  if (fs.existsSync(local)) return local;
  for (const dir of [...libDirs].reverse()) {
    const candidate = path.resolve(dir, spec);
    if (fs.existsSync(candidate)) return candidate;
  }
  return local;
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Read a file only if it is a regular file (following symlinks, as libjsonnet would). */
function readRegular(file: string): Pick<ImportedFile, 'bytes' | 'notRegular'> {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return { bytes: null };
  }
  if (!st.isFile()) return { bytes: null, notRegular: kindOf(st) };
  try {
    return { bytes: fs.readFileSync(file) };
  } catch {
    return { bytes: null };
  }
}

export function importClosure(entry: string, libDirs: string[]): ImportClosure {
  const files = new Map<string, ImportedFile>();
  const stack: [string, ImportedFile['from']][] = [[path.resolve(entry), undefined]];
  while (stack.length > 0) {
    const [file, from] = stack.pop()!;
    if (files.has(file)) continue;
    const read = readRegular(file);
    files.set(file, { ...read, ...(from ? { from } : {}) });
    // importstr/importbin targets are data: hashed, not scanned.
    if (read.bytes === null || !/\.(jsonnet|libsonnet|json)$/.test(file)) continue;
    for (const site of findImports(read.bytes.toString('utf8'))) {
      stack.push([resolveImport(file, site.path, libDirs), { file, line: site.line, spelled: site.path }]);
    }
  }
  return { files };
}
