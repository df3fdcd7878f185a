// builtin:unpack — extract a tar or gzip'd tar store path into a directory. Deterministic: the
// store normalises modes and times afterwards and NAR order is sorted; only the executable bit of
// an entry survives.
//
// An archive cannot steer what it writes. Every entry lands inside the output: absolute names and
// '..' are refused, and the extractor keeps its own record of what it made rather than asking the
// disk, so a later entry never writes or copies through a symlink an earlier one made (a file
// under it, a hard link to it). A hard link copies a regular file this archive made, opened
// without following links. An entry that names a path an earlier entry made as another kind
// (a file, then a symlink or a directory of the same name) is refused, so the order of entries
// cannot change what lands where. Every file is created new (O_EXCL, O_NOFOLLOW).
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
  strip?: number | undefined;
  /** Keep only entries under this directory of the archive (after stripping). */
  subdir?: string | undefined;
  /** Names the step in errors. */
  where: string;
  /** Stops between entries when aborted (Ctrl-C). */
  signal?: AbortSignal | undefined;
  /** Bytes the files may hold in all (max-output-size): a tar bomb is ERR_BUILD_OUTPUT_LIMIT. */
  maxBytes?: number | undefined;
}

type Kind = 'directory' | 'file' | 'symlink';

const { O_WRONLY, O_RDONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;

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

/** What this extraction has made, by relative path: the only record it trusts. */
class Made {
  private readonly kinds = new Map<string, Kind>();

  constructor(
    private readonly dest: string,
    private readonly where: string,
  ) {}

  host(parts: string[]): string {
    return path.join(this.dest, ...parts);
  }

  kindOf(parts: string[]): Kind | undefined {
    return this.kinds.get(parts.join('/'));
  }

  /** Make the parent directories of an entry, refusing to pass through anything but directories. */
  parents(parts: string[], name: string): void {
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i);
      const kind = this.kindOf(prefix);
      if (kind === 'directory') continue;
      if (kind === 'symlink') {
        throw new WpmError('ERR_UNPACK_UNSAFE', `${this.where}: archive entry '${name}' would be written through the symlink '${prefix.join('/')}'`);
      }
      if (kind === 'file') {
        throw new WpmError('ERR_UNPACK_UNSAFE', `${this.where}: archive entry '${name}' would be written inside the file '${prefix.join('/')}'`);
      }
      fs.mkdirSync(this.host(prefix));
      this.kinds.set(prefix.join('/'), 'directory');
    }
  }

  /**
   * Claim the entry's own path for `kind`. The same kind again replaces the earlier entry (a
   * directory is kept); another kind is refused.
   */
  claim(parts: string[], kind: Kind, name: string): string {
    const target = this.host(parts);
    const earlier = this.kindOf(parts);
    if (earlier !== undefined && earlier !== kind) {
      throw new WpmError('ERR_UNPACK_UNSAFE', `${this.where}: archive entry '${name}' is a ${kind}, but an earlier entry made '${parts.join('/')}' a ${earlier}`);
    }
    if (earlier !== undefined && kind !== 'directory') fs.unlinkSync(target); // ours: a file or a symlink
    this.kinds.set(parts.join('/'), kind);
    return target;
  }
}

/** Copy a regular file this extraction made, never following a link at either end. */
function copyOwnFile(from: string, to: string, mode: number): void {
  const src = fs.openSync(from, O_RDONLY | O_NOFOLLOW);
  try {
    const dst = fs.openSync(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
    try {
      const buf = Buffer.alloc(1 << 16);
      for (let n; (n = fs.readSync(src, buf, 0, buf.length, null)) > 0; ) fs.writeSync(dst, buf, 0, n);
    } finally {
      fs.closeSync(dst);
    }
  } finally {
    fs.closeSync(src);
  }
}

export async function unpack(req: UnpackRequest): Promise<void> {
  const strip = req.strip ?? 0;
  const subdir = req.subdir ? entryComponents(req.subdir, req.where) : [];
  fs.mkdirSync(req.dest);
  const made = new Made(req.dest, req.where);
  /** The entry's path in the output, or undefined if it is left out (stripped away, outside subdir). */
  const placed = (name: string): string[] | undefined => {
    const parts = entryComponents(name, req.where).slice(strip);
    if (!subdir.every((s, i) => parts[i] === s) || parts.length <= subdir.length) return undefined;
    return parts.slice(subdir.length);
  };
  const extract = tar.extract();
  let written = 0;
  /** Count bytes about to be written; past the limit, the unpack fails. */
  const charge = (n: number) => {
    written += n;
    if (req.maxBytes !== undefined && written > req.maxBytes) {
      throw new WpmError('ERR_BUILD_OUTPUT_LIMIT', `${req.where}: the archive unpacks to more than the output limit of ${req.maxBytes} bytes`);
    }
  };

  extract.on('entry', (header, stream, next) => {
    const finish = (err?: unknown) => {
      if (err) {
        // Destroying the extractor fails the entry's stream too; the pipeline reports the error once.
        stream.on('error', () => {});
        stream.resume();
        extract.destroy(err as Error);
      } else next();
    };
    const skip = () => {
      stream.resume();
      stream.on('end', () => next());
    };
    if (req.signal?.aborted) return finish(new WpmError('ERR_INTERRUPTED', `${req.where}: interrupted`));
    try {
      const parts = placed(header.name);
      if (parts === undefined) return skip();
      const mode = (header.mode ?? 0o644) & 0o111 ? 0o755 : 0o644;
      switch (header.type) {
        case 'directory': {
          made.parents(parts, header.name);
          if (made.kindOf(parts) === undefined) fs.mkdirSync(made.host(parts));
          made.claim(parts, 'directory', header.name);
          return skip();
        }
        case 'symlink': {
          made.parents(parts, header.name);
          fs.symlinkSync(header.linkname ?? '', made.claim(parts, 'symlink', header.name));
          return skip();
        }
        case 'link': {
          const source = placed(header.linkname ?? '');
          if (source === undefined || made.kindOf(source) !== 'file') {
            const what = source !== undefined && made.kindOf(source) !== undefined ? `a ${made.kindOf(source)}` : 'not a file of the archive';
            throw new WpmError('ERR_UNPACK_UNSAFE', `${req.where}: hard link '${header.name}' points to '${header.linkname}', which is ${what}`);
          }
          made.parents(parts, header.name);
          charge(fs.statSync(made.host(source)).size);
          copyOwnFile(made.host(source), made.claim(parts, 'file', header.name), mode);
          return skip();
        }
        case 'file':
        case 'contiguous-file': {
          made.parents(parts, header.name);
          charge(header.size ?? 0);
          const fd = fs.openSync(made.claim(parts, 'file', header.name), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
          pipeline(stream, fs.createWriteStream('', { fd })).then(() => next(), finish);
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
