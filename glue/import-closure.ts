// The Jsonnet files an evaluation can read: the entry file and everything it imports,
// transitively. Jsonnet imports are string literals, so they can be found without evaluating;
// they resolve like libjsonnet does: next to the importing file first, then the library dirs.
import fs from 'node:fs';
import path from 'node:path';

const IMPORT_RE = /\bimport(?:str|bin)?\s*(@?)(['"])((?:\\.|(?!\2)[^\\])*)\2/g;
// A text block (|||) or a computed import cannot be followed statically.
const OPAQUE_IMPORT_RE = /\bimport(?:str|bin)?\s*\|\|\|/;

export interface ImportClosure {
  /** Absolute paths of every file found, with their contents; missing imports map to null. */
  files: Map<string, Buffer | null>;
  /** False if some import could not be followed statically: do not cache such an evaluation. */
  complete: boolean;
}

function unescape(body: string, verbatim: boolean): string {
  if (verbatim) return body;
  try {
    return JSON.parse(`"${body.replace(/"/g, '\\"').replace(/\\'/g, "'")}"`) as string;
  } catch {
    return body;
  }
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

export function importClosure(entry: string, libDirs: string[]): ImportClosure {
  const files = new Map<string, Buffer | null>();
  let complete = true;
  const stack = [path.resolve(entry)];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (files.has(file)) continue;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      files.set(file, null);
      continue;
    }
    files.set(file, bytes);
    // importstr/importbin targets are data: hashed, not scanned.
    if (!/\.(jsonnet|libsonnet|json)$/.test(file)) continue;
    const text = bytes.toString('utf8');
    if (OPAQUE_IMPORT_RE.test(text)) complete = false;
    for (const m of text.matchAll(IMPORT_RE)) {
      stack.push(resolveImport(file, unescape(m[3]!, m[1] === '@'), libDirs));
    }
  }
  return { files, complete };
}
