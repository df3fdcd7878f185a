// Reading and writing single files of NARs, for the tab: a `.drv` is a store path whose NAR is one
// regular file, and a step's builder is a file at a path inside an input's NAR (clang's
// `llvm.core.wasm` inside its package, or a whole path such as `install.wasm`). The page keeps
// NARs, not unpacked trees (web/store), so it reads such files out of them with store/format's
// parser, and writes the NAR of a new single-file object (an edited source, a `.drv`) with its
// writer.
import { WpmError } from '../../util/errors.js';
import { parseNar } from '../../store/format/nar-parser.js';
import { NarWriter } from '../../store/format/nar-writer.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The contents of the regular file at `relPath` ('' for the NAR's root) of `nar`, whose store
 * path `where` names in errors. Symlinks are not followed: builders and `.drv` files are files.
 */
export async function fileInNar(nar: Uint8Array, relPath: string, where: string): Promise<Uint8Array> {
  const want = relPath === '' ? [] : relPath.split('/');
  const path: string[] = [];
  let name = '';
  let found: Uint8Array | undefined;
  let kind: string | undefined;
  let parts: Uint8Array[] | undefined;
  const here = () => path.length === want.length && path.every((p, i) => p === want[i]);
  await parseNar((async function* () { yield nar; })(), {
    file() {
      if (here()) {
        kind = 'file';
        parts = [];
      }
    },
    contents(chunk) {
      parts?.push(chunk);
    },
    endFile() {
      if (parts) found = concat(parts);
      parts = undefined;
    },
    symlink() {
      if (here()) kind = 'symlink';
    },
    startDirectory() {
      if (here()) kind = 'directory';
    },
    entry(n) {
      name = utf8.decode(n);
      path.push(name);
    },
    endEntry() {
      path.pop();
    },
  });
  if (found === undefined) {
    const what = kind === undefined ? 'does not exist' : `is a ${kind}, not a regular file`;
    throw new WpmError('ERR_WEB_NOT_A_FILE', `${relPath === '' ? where : `${where}/${relPath}`} ${what}`);
  }
  return found;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** The NAR of one regular file: what a `.drv`, a `wpm.writeText` or a file given to `wpm.path` is stored as. */
export function singleFileNar(contents: Uint8Array, executable = false): Uint8Array {
  const chunks: Uint8Array[] = [];
  // NarWriter reuses its scratch buffer: copy each chunk.
  const w = new NarWriter((c) => chunks.push(c.slice()));
  w.file(executable, contents.length);
  if (contents.length > 0) w.contents(contents);
  w.end();
  return concat(chunks);
}

/** A store path and the file inside it: `/wpm/store/<hash>-<name>/a/b` → that path and `a/b`. */
export function splitStoreFile(file: string): { storePath: string; relPath: string } {
  const parts = file.split('/');
  return { storePath: parts.slice(0, 4).join('/'), relPath: parts.slice(4).join('/') };
}
