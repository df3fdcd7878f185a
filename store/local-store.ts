// The local store under $WPM_HOME. Paths are added by building them in $WPM_HOME/tmp (same file
// system), normalising, hashing, fsyncing, then renaming into store/ under the path's lock (text
// objects, being one small file whose bytes follow from the path, are written in place); the
// path-info file is written last, atomically, and its existence is what makes a path valid. A
// crash at any moment leaves either nothing registered or a complete path; leftovers are swept
// by the next add of that path, by `wpm store gc` and by `wpm store verify --repair`.
//
// Every path this process adds or finds valid becomes a temporary GC root first (temp-roots.ts),
// so a concurrent `wpm store gc` never deletes what a running evaluation or build relies on.
import fs from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { WpmError } from '../util/index.js';
import {
  HASH_PART_LENGTH,
  STORE_DIR,
  formatHash,
  hashBytes,
  makeSourcePath,
  makeTextPathFromHash,
  parseStorePath,
  type Hash,
} from './format/index.js';
import { copyTree, type CopyFilter } from './copy-tree.js';
import { homeLayout, type HomeLayout } from './home.js';
import { acquireLock, type Lock } from './lock.js';
import { hashAndScanPath, hashFileContents, hashPath } from './nar-index.js';
import { normalizeTree, removeTree } from './normalize.js';
import { parsePathInfo, type PathInfo } from './path-info.js';
import { syncDir, syncTree } from './sync-tree.js';
import { addTempRoot, addTempRootsSync } from './temp-roots.js';

export interface RegisterOptions {
  /** Store paths whose hash parts may occur in the output (its input closure and its own outputs). */
  referenceCandidates?: Iterable<string>;
  /** Declared references (text objects): used as they are instead of scanning. */
  references?: string[];
  deriver?: string;
  ca?: string;
  /** Check the NAR hash before registering; a mismatch registers nothing. */
  expectedNarHash?: string;
  /** Signatures to record with the path (a substituted path's, already checked). */
  signatures?: string[];
}

export interface LocalStoreOptions {
  /**
   * fsync a path's files and directories before its info is written, and the info before it is
   * relied on (default true). Without it a power cut, not a crash, can corrupt a valid path.
   */
  durable?: boolean;
  /**
   * Called when this process is about to move a path into the store (holding the path's lock;
   * text objects need none, see addTexts).
   */
  onInstalling?: (storePath: string) => void;
  /** Called each time this process moves a path into the store and makes it valid. */
  onInstalled?: (info: PathInfo) => void;
}

export class LocalStore {
  readonly layout: HomeLayout;
  private textCounter = 0;

  private constructor(
    readonly home: string,
    private readonly opts: LocalStoreOptions,
  ) {
    this.layout = homeLayout(home);
  }

  static open(home: string, opts: LocalStoreOptions = {}): LocalStore {
    const store = new LocalStore(path.resolve(home), opts);
    for (const dir of Object.values(store.layout)) fs.mkdirSync(dir, { recursive: true });
    return store;
  }

  private get durable(): boolean {
    return this.opts.durable ?? true;
  }

  /** Physical location of a logical store path (or of a file inside one). */
  toHost(storePath: string): string {
    if (!storePath.startsWith(STORE_DIR + '/')) {
      throw new WpmError('ERR_BAD_STORE_PATH', `${storePath} is not under ${STORE_DIR}`);
    }
    return path.join(this.layout.store, storePath.slice(STORE_DIR.length + 1));
  }

  /** The logical store path holding a physical path, if it is inside this store. */
  fromHost(hostPath: string): string | undefined {
    const rel = path.relative(this.layout.store, path.resolve(hostPath));
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return `${STORE_DIR}/${rel.split(path.sep)[0]}`;
  }

  /** The info file of a path; its existence is what makes the path valid. */
  infoFile(storePath: string): string {
    const { hashPart } = parseStorePath(storePath);
    return path.join(this.layout.db, `${hashPart}.json`);
  }

  /**
   * Is the path valid? A path found valid is also protected from GC for the rest of this process
   * (a temporary root), because every caller is about to rely on it: as an input, a cached output,
   * a result. Use queryPathInfo to look without protecting.
   */
  isValid(storePath: string): boolean {
    return this.areValid([storePath])[0]!;
  }

  /** isValid for many paths, with one write of temporary roots and one look at the GC lock. */
  areValid(storePaths: readonly string[]): boolean[] {
    const files = storePaths.map((p) => {
      try {
        return this.infoFile(p);
      } catch {
        return undefined; // not a store path: never valid, nothing to root
      }
    });
    addTempRootsSync(this.layout, storePaths.filter((_, k) => files[k] !== undefined));
    return files.map((f) => f !== undefined && exists(f));
  }

  /** Is there an info file for this path? No temporary root and no reading: the garbage
   * collector's question, and a recheck for a path already rooted. */
  hasInfoFile(storePath: string): boolean {
    return exists(this.infoFile(storePath));
  }

  /** Make a path a temporary root of this process (it is kept by GC until the process exits). */
  addTempRoot(storePath: string): Promise<void> {
    parseStorePath(storePath);
    return addTempRoot(this.layout, storePath);
  }

  queryPathInfo(storePath: string): PathInfo | undefined {
    const file = this.infoFile(storePath);
    const info = readInfoFile(file);
    // The hash part alone names the info file; make sure the name matches too.
    return info?.path === storePath ? info : undefined;
  }

  /**
   * A valid path's info from its hash part alone (what a narinfo request or a build lock names);
   * undefined if there is none or its info file is unreadable.
   */
  queryPathInfoByHashPart(hashPart: string): PathInfo | undefined {
    if (!/^[0-9a-df-np-sv-z]{32}$/.test(hashPart)) return undefined;
    try {
      // readInfoFile checks that the file names a store path with this hash part.
      return readInfoFile(path.join(this.layout.db, `${hashPart}.json`));
    } catch {
      return undefined;
    }
  }

  requirePathInfo(storePath: string): PathInfo {
    const info = this.queryPathInfo(storePath);
    if (!info) throw new WpmError('ERR_STORE_NOT_VALID', `${storePath} is not valid in the store at ${this.home}`);
    return info;
  }

  /** Every valid path, sorted. */
  listValid(): string[] {
    return this.listInfos()
      .map((i) => i.path)
      .sort();
  }

  /** The info of every valid path (one read of db/; what GC and verify start from). */
  listInfos(): PathInfo[] {
    const out: PathInfo[] = [];
    for (const file of fs.readdirSync(this.layout.db)) {
      if (!file.endsWith('.json')) continue;
      const info = readInfoFile(path.join(this.layout.db, file), { missingOk: true });
      if (info) out.push(info);
    }
    return out;
  }

  /** The closure of some valid paths under references, sorted. */
  closure(paths: Iterable<string>): string[] {
    const seen = new Set<string>();
    const stack = [...paths];
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (seen.has(p)) continue;
      seen.add(p);
      for (const ref of this.requirePathInfo(p).references) if (!seen.has(ref)) stack.push(ref);
    }
    return [...seen].sort();
  }

  /**
   * A fresh directory under $WPM_HOME/tmp, on the store's file system so renames are atomic. Its
   * name starts with our pid, so GC and verify can tell a dead process's leftovers from live work.
   */
  makeTempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(this.layout.tmp, `${process.pid}-${prefix}-`));
  }

  lockFile(storePath: string): string {
    return path.join(this.layout.locks, `${parseStorePath(storePath).hashPart}.lock`);
  }

  lock(storePath: string, onWait?: () => void): Promise<Lock> {
    return acquireLock(this.lockFile(storePath), { onWait });
  }

  buildLockFile(drvPath: string): string {
    return path.join(this.layout.locks, `${parseStorePath(drvPath).hashPart}.build.lock`);
  }

  /**
   * Held while a derivation builds, so two processes sharing the store build it once. The `.drv`
   * becomes a temporary root first: GC keeps a rooted derivation's closure and outputs.
   */
  async buildLock(drvPath: string, onWait?: () => void): Promise<Lock> {
    await this.addTempRoot(drvPath);
    return acquireLock(this.buildLockFile(drvPath), { onWait });
  }

  /**
   * Move a finished tree at `tmpPath` into the store as `storePath` and register it.
   * `tmpPath` is consumed: moved into the store, or deleted if the path is already valid.
   */
  async register(tmpPath: string, storePath: string, opts: RegisterOptions = {}): Promise<PathInfo> {
    const entries = normalizeTree(tmpPath);
    let narHash;
    let narSize: number;
    let references: string[];
    if (opts.references) {
      ({ narHash, narSize } = await hashPath(tmpPath));
      references = [...new Set(opts.references)].sort();
    } else {
      // One walk gives the hash and the references: the output's files are read once.
      const byHash = new Map<string, string>();
      for (const c of opts.referenceCandidates ?? []) byHash.set(hashPartOf(c), c);
      byHash.set(parseStorePath(storePath).hashPart, storePath);
      const scanned = await hashAndScanPath(tmpPath, byHash.keys());
      ({ narHash, narSize } = scanned);
      references = [...scanned.references].map((h) => byHash.get(h)!).sort();
    }
    const narHashText = formatHash(narHash, 'nix32');
    if (opts.expectedNarHash !== undefined && opts.expectedNarHash !== narHashText) {
      removeTree(tmpPath);
      throw new WpmError('ERR_STORE_HASH_MISMATCH', `hash mismatch for ${storePath}:\n  expected: ${opts.expectedNarHash}\n  got:      ${narHashText}`);
    }
    const info: PathInfo = {
      path: storePath,
      narHash: narHashText,
      narSize,
      references,
      ...(opts.deriver ? { deriver: opts.deriver } : {}),
      signatures: [...new Set(opts.signatures ?? [])],
      ...(opts.ca ? { ca: opts.ca } : {}),
    };
    await this.install(tmpPath, info, entries);
    return this.requirePathInfo(storePath);
  }

  /**
   * Rename into place and write the info file, under the path's lock. Returns false if the path
   * was valid already (then `tmpPath` is just deleted): a path is written once, whoever races.
   */
  private async install(tmpPath: string, info: PathInfo, toSync: { files: Buffer[]; dirs: Buffer[] }): Promise<boolean> {
    const durable = this.durable;
    // Rooted before anything lands in store/, so GC never takes our half-installed path for garbage.
    await addTempRoot(this.layout, info.path);
    if (fs.existsSync(this.infoFile(info.path))) {
      removeTree(tmpPath);
      return false;
    }
    // Outside the lock: other writers of other paths need not wait for our disk.
    if (durable) await syncTree(toSync);
    const lock = await this.lock(info.path);
    try {
      if (fs.existsSync(this.infoFile(info.path))) {
        removeTree(tmpPath);
        return false;
      }
      this.opts.onInstalling?.(info.path);
      const host = this.toHost(info.path);
      removeTree(host); // an invalid leftover from a crash
      // Renaming a directory into another parent needs it writable (its '..' entry changes).
      const isDir = fs.lstatSync(tmpPath).isDirectory();
      if (isDir) fs.chmodSync(tmpPath, 0o755);
      fs.renameSync(tmpPath, host);
      if (isDir) {
        fs.chmodSync(host, 0o555);
        fs.utimesSync(host, new Date(1000), new Date(1000));
      }
      if (durable) syncDir(this.layout.store);
      this.writeInfo(info, { durable });
      this.opts.onInstalled?.(info);
      return true;
    } finally {
      lock.release();
    }
  }

  writeInfo(info: PathInfo, opts: { durable?: boolean } = {}): void {
    const durable = opts.durable ?? this.durable;
    const file = this.infoFile(info.path);
    const tmp = `${file}.tmp-${process.pid}`;
    const fd = fs.openSync(tmp, 'w', 0o644);
    try {
      fs.writeSync(fd, JSON.stringify(info, null, 2) + '\n');
      if (durable) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    if (durable) syncDir(this.layout.db);
  }

  /** Forget a path (GC and repair): the info goes first, so a crash leaves it invalid, not corrupt. */
  invalidate(storePath: string): void {
    this.invalidatePaths([storePath]);
  }

  /**
   * Forget many paths: every info file first, in the order given (GC passes referrers before what
   * they refer to, so no valid path ever lacks a reference), one fsync, then the directories.
   */
  invalidatePaths(storePaths: string[]): void {
    for (const p of storePaths) fs.rmSync(this.infoFile(p), { force: true });
    // The removals must be on disk before any file of those paths is, or a power cut could leave
    // a valid path with half its files deleted.
    if (this.durable && storePaths.length > 0) syncDir(this.layout.db);
    for (const p of storePaths) removeTree(this.toHost(p));
  }

  /** Add a file or directory from the host as a `source` path (recursive sha256, like nix-store --add). */
  async addPath(hostPath: string, opts: { name?: string; filter?: CopyFilter } = {}): Promise<string> {
    const abs = path.resolve(hostPath);
    const name = opts.name ?? path.basename(abs);
    const tmpDir = this.makeTempDir('add');
    const tmp = path.join(tmpDir, 'x');
    try {
      copyTree(abs, tmp, opts.filter);
      const entries = normalizeTree(tmp);
      const { narHash, narSize } = await hashPath(tmp);
      const storePath = makeSourcePath(narHash, name);
      const narHashText = formatHash(narHash, 'nix32');
      // A source refers to nothing: it cannot contain its own hash, which depends on its contents.
      await this.install(tmp, { path: storePath, narHash: narHashText, narSize, references: [], signatures: [], ca: `fixed:r:${narHashText}` }, entries);
      return storePath;
    } finally {
      removeTree(tmpDir);
    }
  }

  /** Add a text object (a `.drv` file, a wpm.writeText) with the given references. */
  async addText(name: string, text: string, references: string[]): Promise<string> {
    return this.addTexts([{ name, text, references }])[0]!;
  }

  /**
   * Add many text objects at once: the `.drv` files of an evaluation, by the thousand. One write
   * roots them all and one look at the GC lock covers them all.
   *
   * No lock is taken: a text object's path is the hash of its bytes, so every writer of a path
   * writes the same bytes. The bytes are written in place (the path is rooted and not valid yet),
   * or through tmp/ and a rename over a file another writer or a crash left there; the info is
   * an atomic rename that may replace an identical file. Text objects are not fsynced either, even
   * in a durable store (four fsyncs each would make a cold evaluation of 10,000 derivations take
   * minutes); they are tiny, and re-evaluation recreates them. A power cut can tear one that was just written; its hash then no
   * longer matches and `wpm store verify --repair` drops it.
   */
  addTexts(items: readonly TextObject[], opts: { rooted?: boolean } = {}): string[] {
    const texts = items.map((i) => {
      const bytes = Buffer.from(i.text, 'utf8');
      const contentHash = hashBytes('sha256', bytes);
      return { item: i, bytes, contentHash, storePath: makeTextPathFromHash(i.name, contentHash, i.references) };
    });
    const paths = texts.map((t) => t.storePath);
    // Rooted before anything lands in store/, so GC never takes a half-written one for garbage
    // (`rooted`: the caller has done it, through areValid).
    if (!opts.rooted) addTempRootsSync(this.layout, paths);
    // A valid one is left alone: its info may carry signatures since added under its lock.
    for (const t of texts) if (!this.hasInfoFile(t.storePath)) this.writeTextObject(t);
    return paths;
  }

  private writeTextObject({ item, bytes, contentHash, storePath }: { item: TextObject; bytes: Buffer; contentHash: Hash; storePath: string }): void {
    const dest = this.toHost(storePath);
    this.opts.onInstalling?.(storePath);
    try {
      writeNewFile(dest, bytes);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new WpmError('ERR_STORE_IO', `cannot write ${storePath}: ${(err as Error).message}`, { cause: err });
      }
      // Another writer's, complete or not, or a crash's leftover: replaced whole by a complete one.
      // A bare file in tmp/, named for this process so GC and verify know whose leftover it is.
      // The pid first (GC and verify read it); the thread too, as the .drv writer's thread has its own store.
      const tmp = path.join(this.layout.tmp, `${process.pid}-text-${threadId}-${++this.textCounter}`);
      try {
        writeNewFile(tmp, bytes);
        fs.renameSync(tmp, dest);
      } catch (err) {
        fs.rmSync(tmp, { force: true });
        throw new WpmError('ERR_STORE_IO', `cannot write ${storePath}: ${(err as Error).message}`, { cause: err });
      }
    }
    const { narHash, narSize } = hashFileContents(bytes);
    const info: PathInfo = {
      path: storePath,
      narHash: formatHash(narHash, 'nix32'),
      narSize,
      // A text object's references are declared, not scanned (as in Nix).
      references: [...new Set(item.references)].sort(),
      signatures: [],
      ca: `text:${formatHash(contentHash, 'nix32')}`,
    };
    this.writeInfo(info, { durable: false });
    this.opts.onInstalled?.(info);
  }
}

/**
 * Create a file that must not exist yet, read-only with the store's fixed timestamps. A text
 * object is written in place: it is not valid until its info file is renamed into db/, and until
 * then it is a temporary root of this process, so nothing reads it or takes it for garbage.
 */
function writeNewFile(file: string, bytes: Uint8Array): void {
  const fd = fs.openSync(file, 'wx', 0o444);
  try {
    fs.writeFileSync(fd, bytes); // all of them: a single writeSync may write fewer (a full disk)
    fs.futimesSync(fd, 1, 1);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true }); // ours, and torn
    throw err;
  }
  fs.closeSync(fd);
}

/** Does the file exist? (statSync without throwing costs a third of existsSync for a missing file.) */
function exists(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false }) !== undefined;
}

/** A text object to add: its name, bytes (as UTF-8) and declared references. */
export interface TextObject {
  name: string;
  text: string;
  references: readonly string[];
}

function hashPartOf(storePath: string): string {
  return storePath.slice(STORE_DIR.length + 1, STORE_DIR.length + 1 + HASH_PART_LENGTH);
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
