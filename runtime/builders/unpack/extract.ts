// builtin:unpack — extract a tar or gzip'd tar store path into a directory. Deterministic: the
// store normalises modes and times afterwards and NAR order is sorted; only the executable bit of
// an entry survives. Entries that would land outside the output (absolute names, '..', or writing
// through a symlink the archive made) are refused, naming the entry.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { WpmError } from '../../../util/index.js';

export interface UnpackRequest {
  /** Host path of the archive. */
  archive: string;
  /** Host path of the output directory, which must not exist yet. */
  dest: string;
  /** Leading path components to drop from every entry (like tar --strip-components). */
  strip?: number;
  /** Keep only entries under this directory of the archive (after stripping). */
  subdir?: string;
  /** Names the step in errors. */
  where: string;
  /** Stops between entries when aborted (Ctrl-C). */
  signal?: AbortSignal;
}

function isGzip(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    fs.readSync(fd, head, 0, 2, 0);
    return head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/** Split an entry name into safe components, or throw naming the entry. */
function entryComponents(name: string, where: string): string[] {
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) {
    throw new WpmError('ERR_UNPACK_UNSAFE', `${where}: archive entry '${name}' has an absolute path`);
  }
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw new WpmError('ERR_UNPACK_UNSAFE', `${where}: archive entry '${name}' escapes the output with '..'`);
  }
  for (const p of parts) {
    if (p.includes('\0')) throw new WpmError('ERR_UNPACK_UNSAFE', `${where}: archive entry name contains NUL`);
  }
  return parts;
}

/** Refuse to write through a symlink made by an earlier entry. */
function checkNoSymlinkParents(dest: string, parts: string[], name: string, where: string): void {
  let cur = dest;
  for (const p of parts.slice(0, -1)) {
    cur = path.join(cur, p);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(cur);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) {
      throw new WpmError('ERR_UNPACK_UNSAFE', `${where}: archive entry '${name}' would be written through the symlink '${parts.slice(0, parts.indexOf(p) + 1).join('/')}'`);
    }
  }
}

export async function unpack(req: UnpackRequest): Promise<void> {
  const strip = req.strip ?? 0;
  const subdir = req.subdir ? entryComponents(req.subdir, req.where) : [];
  fs.mkdirSync(req.dest);
  const extract = tar.extract();
  const written = new Map<string, string>(); // entry name → host path, for hard links

  extract.on('entry', (header, stream, next) => {
    const finish = (err?: unknown) => {
      if (err) {
        // Destroying the extractor fails the entry's stream too; the pipeline reports the error once.
        stream.on('error', () => {});
        stream.resume();
        extract.destroy(err as Error);
      } else next();
    };
    if (req.signal?.aborted) return finish(new WpmError('ERR_INTERRUPTED', `${req.where}: interrupted`));
    try {
      let parts = entryComponents(header.name, req.where).slice(strip);
      const wanted = subdir.every((s, i) => parts[i] === s);
      parts = parts.slice(subdir.length);
      if (!wanted || parts.length === 0) {
        stream.resume();
        stream.on('end', () => next());
        return;
      }
      checkNoSymlinkParents(req.dest, parts, header.name, req.where);
      const target = path.join(req.dest, ...parts);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      switch (header.type) {
        case 'directory':
          fs.mkdirSync(target, { recursive: true });
          stream.resume();
          stream.on('end', () => next());
          return;
        case 'symlink':
          fs.rmSync(target, { force: true, recursive: true });
          fs.symlinkSync(header.linkname ?? '', target);
          stream.resume();
          stream.on('end', () => next());
          return;
        case 'link': {
          const from = written.get(entryComponents(header.linkname ?? '', req.where).slice(strip + subdir.length).join('/'));
          if (!from) throw new WpmError('ERR_UNPACK_UNSAFE', `${req.where}: hard link '${header.name}' points to '${header.linkname}', which is not in the archive`);
          fs.rmSync(target, { force: true, recursive: true });
          fs.copyFileSync(from, target);
          stream.resume();
          stream.on('end', () => next());
          return;
        }
        case 'file':
        case 'contiguous-file': {
          fs.rmSync(target, { force: true, recursive: true });
          const mode = (header.mode ?? 0o644) & 0o111 ? 0o755 : 0o644;
          const out = fs.createWriteStream(target, { mode });
          written.set(parts.join('/'), target);
          pipeline(stream, out).then(() => next(), finish);
          return;
        }
        default:
          // pax headers are consumed by tar-stream; devices and FIFOs have no place in a store.
          throw new WpmError('ERR_UNPACK_UNSUPPORTED', `${req.where}: archive entry '${header.name}' has unsupported type ${header.type}`);
      }
    } catch (err) {
      finish(err);
    }
  });

  const source = fs.createReadStream(req.archive);
  try {
    if (isGzip(req.archive)) await pipeline(source, zlib.createGunzip(), extract);
    else await pipeline(source, extract);
  } catch (err) {
    if (err instanceof WpmError) throw err;
    throw new WpmError('ERR_UNPACK_FAILED', `${req.where}: cannot unpack ${req.archive}: ${(err as Error).message}`, { cause: err });
  }
}
