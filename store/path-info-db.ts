// The path-info database: one JSON file per valid path under db/, named by the path's hash part.
// A file's existence is what makes its path valid, so it is written last and atomically (write,
// fsync, rename, fsync db/), and removed first when a path is forgotten.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError } from '../util/index.js';
import { parseStorePath } from './format/index.js';
import { parsePathInfo, type PathInfo } from './path-info.js';
import { syncDir } from './tree/flush-batch.js';

let tmpCounter = 0;

export class PathInfoDb {
  constructor(
    /** The db/ directory. */
    readonly dir: string,
    private readonly durable: boolean,
  ) {}

  /** The info file of a path; its existence is what makes the path valid. */
  infoFile(storePath: string): string {
    const { hashPart } = parseStorePath(storePath);
    return path.join(this.dir, `${hashPart}.json`);
  }

  /** Is there an info file for this path? No reading, no temporary root. */
  has(storePath: string): boolean {
    return exists(this.infoFile(storePath));
  }

  get(storePath: string): PathInfo | undefined {
    const info = readInfoFile(this.infoFile(storePath));
    // The hash part alone names the info file; make sure the name matches too.
    return info?.path === storePath ? info : undefined;
  }

  /**
   * A valid path's info from its hash part alone (what a narinfo request or a build lock names);
   * undefined if there is none or its info file is unreadable.
   */
  getByHashPart(hashPart: string): PathInfo | undefined {
    if (!/^[0-9a-df-np-sv-z]{32}$/.test(hashPart)) return undefined;
    try {
      // readInfoFile checks that the file names a store path with this hash part.
      return readInfoFile(path.join(this.dir, `${hashPart}.json`));
    } catch {
      return undefined;
    }
  }

  /** The info of every valid path (one read of db/; what GC and verify start from). */
  list(): PathInfo[] {
    const out: PathInfo[] = [];
    for (const file of fs.readdirSync(this.dir)) {
      if (!file.endsWith('.json')) continue;
      const info = readInfoFile(path.join(this.dir, file), { missingOk: true });
      if (info) out.push(info);
    }
    return out;
  }

  write(info: PathInfo, opts: { durable?: boolean } = {}): void {
    const durable = opts.durable ?? this.durable;
    const { fd, tmp } = this.writeTemp(info);
    try {
      if (durable) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.commit([{ tmp, info }], { durable });
  }

  /**
   * Writes a path's info under a temporary name (`<hash>.json.tmp-<pid>-<n>`, garbage if we die),
   * and hands back the open descriptor: the caller makes it durable with the rest of its batch
   * and closes it, then commit() makes the path valid.
   */
  writeTemp(info: PathInfo): { fd: number; tmp: string } {
    const tmp = `${this.infoFile(info.path)}.tmp-${process.pid}-${(++tmpCounter).toString(16)}`;
    const fd = fs.openSync(tmp, 'wx', 0o644);
    try {
      fs.writeFileSync(fd, JSON.stringify(info, null, 2) + '\n');
    } catch (err) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    return { fd, tmp };
  }

  /**
   * Renames written (and, if durable, flushed) temporary infos into place, in the order given,
   * then fsyncs db/: once this returns, the paths are valid and stay so through a power cut.
   */
  commit(written: readonly { tmp: string; info: PathInfo }[], opts: { durable?: boolean } = {}): void {
    for (const { tmp, info } of written) fs.renameSync(tmp, this.infoFile(info.path));
    if ((opts.durable ?? this.durable) && written.length > 0) syncDir(this.dir);
  }

  /** Remove the info files of these paths, in the order given; on disk before this returns. */
  remove(storePaths: readonly string[]): void {
    for (const p of storePaths) fs.rmSync(this.infoFile(p), { force: true });
    if (this.durable && storePaths.length > 0) syncDir(this.dir);
  }
}

/** Does the file exist? (statSync without throwing costs a third of existsSync for a missing file.) */
export function exists(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false }) !== undefined;
}

/** Reads an info file; a file that exists but does not parse, or has the wrong shape, is an error naming it. */
function readInfoFile(file: string, opts: { missingOk?: boolean } = {}): PathInfo | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || opts.missingOk) return undefined;
    throw new WpmError('ERR_STORE_IO', `cannot read path info ${file}`, { cause: err });
  }
  try {
    return parsePathInfo(text, path.basename(file, '.json'));
  } catch (cause) {
    throw new WpmError('ERR_STORE_CORRUPT_INFO', `path info ${file} is corrupt: ${(cause as Error).message}`, {
      cause,
      hint: 'run `wpm store verify --repair` to drop it (the path will be rebuilt or re-added)',
    });
  }
}
