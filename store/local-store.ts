// The local store under $WPM_HOME, wiring its rooms together: the path-info database
// (path-info-db.ts), registration (registration.ts), text objects (text-objects.ts), temporary
// roots (temp-roots.ts) and locks (lock.ts). Its methods are what the layers above use; each is
// a few lines over one room.
//
// Every path this process adds or finds valid becomes a temporary GC root first (temp-roots.ts),
// so a concurrent `wpm store gc` never deletes what a running evaluation or build relies on.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError } from '../util/index.js';
import { STORE_DIR, parseStorePath } from './format/index.js';
import { homeLayout, type HomeLayout } from './home.js';
import { acquireLock, type Lock } from './lock.js';
import type { PathInfo } from './path-info.js';
import { PathInfoDb, exists } from './path-info-db.js';
import { closureSet } from './query/closure.js';
import { addHostPaths, registerTrees, type HostSource, type RegisterOptions, type TreeToRegister } from './registration.js';
import type { InstallHooks, StoreContext } from './store-context.js';
import { addTempRoot, addTempRootsSync } from './temp-roots.js';
import { addTextObjects, type TextObject } from './text-objects.js';
import type { CopyFilter } from './tree/copy-tree.js';
import { removeTree } from './tree/normalize.js';

export interface LocalStoreOptions extends InstallHooks {
  /**
   * fsync a path's files and directories before its info is written, and the info before it is
   * relied on (default true). Without it a power cut, not a crash, can corrupt a valid path.
   */
  durable?: boolean;
}

export class LocalStore implements StoreContext {
  readonly layout: HomeLayout;
  /** The path-info database (db/). */
  readonly db: PathInfoDb;
  readonly durable: boolean;
  readonly hooks: InstallHooks;

  private constructor(
    readonly home: string,
    opts: LocalStoreOptions,
  ) {
    this.layout = homeLayout(home);
    this.durable = opts.durable ?? true;
    this.hooks = opts;
    this.db = new PathInfoDb(this.layout.db, this.durable);
  }

  static open(home: string, opts: LocalStoreOptions = {}): LocalStore {
    const store = new LocalStore(path.resolve(home), opts);
    for (const dir of Object.values(store.layout)) fs.mkdirSync(dir, { recursive: true });
    return store;
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
        return this.db.infoFile(p);
      } catch {
        return undefined; // not a store path: never valid, nothing to root
      }
    });
    addTempRootsSync(this.layout, storePaths.filter((_, k) => files[k] !== undefined));
    return files.map((f) => f !== undefined && exists(f));
  }

  /** Make a path a temporary root of this process (it is kept by GC until the process exits). */
  addTempRoot(storePath: string): Promise<void> {
    parseStorePath(storePath);
    return addTempRoot(this.layout, storePath);
  }

  queryPathInfo(storePath: string): PathInfo | undefined {
    return this.db.get(storePath);
  }

  requirePathInfo(storePath: string): PathInfo {
    const info = this.db.get(storePath);
    if (!info) throw new WpmError('ERR_STORE_NOT_VALID', `${storePath} is not valid in the store at ${this.home}`);
    return info;
  }

  /** The closure of some valid paths under references, sorted. */
  closure(paths: Iterable<string>): string[] {
    return [...closureSet(paths, (p) => this.requirePathInfo(p))].sort();
  }

  /**
   * A fresh directory under $WPM_HOME/tmp, on the store's file system so renames are atomic. Its
   * name starts with our pid, so GC and verify can tell a dead process's leftovers from live work.
   */
  makeTempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(this.layout.tmp, `${process.pid}-${prefix}-`));
  }

  lock(storePath: string, onWait?: () => void): Promise<Lock> {
    return acquireLock(path.join(this.layout.locks, `${parseStorePath(storePath).hashPart}.lock`), { onWait });
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

  /** Move a finished tree at `tmpPath` into the store as `storePath` and register it (registration.ts). */
  async register(tmpPath: string, storePath: string, opts: RegisterOptions = {}): Promise<PathInfo> {
    return (await registerTrees(this, [{ ...opts, tmpPath, storePath }]))[0]!;
  }

  /** Register several finished trees (a derivation's outputs) in one batch: one flush, one transaction. */
  registerMany(trees: readonly TreeToRegister[]): Promise<PathInfo[]> {
    return registerTrees(this, trees);
  }

  /** Add a file or directory from the host as a `source` path (recursive sha256, like nix-store --add). */
  async addPath(hostPath: string, opts: { name?: string; filter?: CopyFilter } = {}): Promise<string> {
    return (await addHostPaths(this, [{ hostPath, ...opts }]))[0]!;
  }

  /** Add many host files or directories in one batch (`wpm store add A B C…`): one flush, one transaction. */
  addPaths(sources: readonly HostSource[]): Promise<string[]> {
    return addHostPaths(this, sources);
  }

  /** Add a text object (a `.drv` file, a wpm.writeText) with the given references. */
  async addText(name: string, text: string, references: string[]): Promise<string> {
    return this.addTexts([{ name, text, references }])[0]!;
  }

  /** Add many text objects at once: the `.drv` files of an evaluation, by the thousand (text-objects.ts). */
  addTexts(items: readonly TextObject[], opts: { rooted?: boolean } = {}): string[] {
    return addTextObjects(this, items, opts);
  }

  /** Forget a path (GC and repair): the info goes first, so a crash leaves it invalid, not corrupt. */
  invalidate(storePath: string): void {
    this.invalidatePaths([storePath]);
  }

  /**
   * Forget many paths: every info file first, in the order given (GC passes referrers before what
   * they refer to, so no valid path ever lacks a reference), on disk before any file of those
   * paths is deleted (or a power cut could leave a valid path with half its files), then the
   * directories.
   */
  invalidatePaths(storePaths: string[]): void {
    this.db.remove(storePaths);
    for (const p of storePaths) removeTree(this.toHost(p));
  }
}
