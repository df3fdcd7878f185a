// The local store under $WPM_HOME. Paths are added by building them in $WPM_HOME/tmp (same file
// system), normalising, hashing, then renaming into store/ under the path's lock; the path-info
// file is written last, atomically, and its existence is what makes a path valid. A crash at any
// moment leaves either nothing registered or a complete path; leftovers are swept on the next add.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError } from '../util/index.js';
import {
  HASH_PART_LENGTH,
  STORE_DIR,
  formatHash,
  hashBytes,
  makeSourcePath,
  makeTextPath,
  parseStorePath,
} from './format/index.js';
import { homeLayout, type HomeLayout } from './home.js';
import { acquireLock, type Lock } from './lock.js';
import { hashPath, scanReferences } from './nar-index.js';
import { normalizeTree, removeTree } from './normalize.js';
import type { PathInfo } from './path-info.js';

export interface RegisterOptions {
  /** Store paths whose hash parts may occur in the output (its input closure and its own outputs). */
  referenceCandidates?: Iterable<string>;
  /** Declared references (text objects): used as they are instead of scanning. */
  references?: string[];
  deriver?: string;
  ca?: string;
  /** Check the NAR hash before registering; a mismatch registers nothing. */
  expectedNarHash?: string;
}

export class LocalStore {
  readonly layout: HomeLayout;

  private constructor(readonly home: string) {
    this.layout = homeLayout(home);
  }

  static open(home: string): LocalStore {
    const store = new LocalStore(path.resolve(home));
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

  private infoFile(storePath: string): string {
    const { hashPart } = parseStorePath(storePath);
    return path.join(this.layout.db, `${hashPart}.json`);
  }

  isValid(storePath: string): boolean {
    try {
      return fs.existsSync(this.infoFile(storePath));
    } catch {
      return false;
    }
  }

  queryPathInfo(storePath: string): PathInfo | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.infoFile(storePath), 'utf8');
    } catch {
      return undefined;
    }
    const info = JSON.parse(text) as PathInfo;
    // The hash part alone names the info file; make sure the name matches too.
    return info.path === storePath ? info : undefined;
  }

  requirePathInfo(storePath: string): PathInfo {
    const info = this.queryPathInfo(storePath);
    if (!info) throw new WpmError('ERR_STORE_NOT_VALID', `${storePath} is not valid in the store at ${this.home}`);
    return info;
  }

  /** Every valid path, sorted. */
  listValid(): string[] {
    const out: string[] = [];
    for (const file of fs.readdirSync(this.layout.db)) {
      if (!file.endsWith('.json')) continue;
      const info = this.queryInfoByHashPart(file.slice(0, -5));
      if (info) out.push(info.path);
    }
    return out.sort();
  }

  private queryInfoByHashPart(hashPart: string): PathInfo | undefined {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.layout.db, `${hashPart}.json`), 'utf8')) as PathInfo;
    } catch {
      return undefined;
    }
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

  /** A fresh directory under $WPM_HOME/tmp, on the store's file system so renames are atomic. */
  makeTempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(this.layout.tmp, `${prefix}-`));
  }

  lockFile(storePath: string): string {
    return path.join(this.layout.locks, `${parseStorePath(storePath).hashPart}.lock`);
  }

  lock(storePath: string, onWait?: () => void): Promise<Lock> {
    return acquireLock(this.lockFile(storePath), { onWait });
  }

  /** Held while a derivation builds, so two processes sharing the store build it once. */
  buildLock(drvPath: string, onWait?: () => void): Promise<Lock> {
    return acquireLock(path.join(this.layout.locks, `${parseStorePath(drvPath).hashPart}.build.lock`), { onWait });
  }

  /**
   * Move a finished tree at `tmpPath` into the store as `storePath` and register it.
   * `tmpPath` is consumed: moved into the store, or deleted if the path is already valid.
   */
  async register(tmpPath: string, storePath: string, opts: RegisterOptions = {}): Promise<PathInfo> {
    normalizeTree(tmpPath);
    const { narHash, narSize } = await hashPath(tmpPath);
    const narHashText = formatHash(narHash, 'nix32');
    if (opts.expectedNarHash !== undefined && opts.expectedNarHash !== narHashText) {
      removeTree(tmpPath);
      throw new WpmError('ERR_STORE_HASH_MISMATCH', `hash mismatch for ${storePath}:\n  expected: ${opts.expectedNarHash}\n  got:      ${narHashText}`);
    }
    const references = opts.references
      ? [...opts.references].sort()
      : await this.findReferences(tmpPath, storePath, opts.referenceCandidates ?? []);
    const info: PathInfo = {
      path: storePath,
      narHash: narHashText,
      narSize,
      references,
      ...(opts.deriver ? { deriver: opts.deriver } : {}),
      signatures: [],
      ...(opts.ca ? { ca: opts.ca } : {}),
    };
    await this.install(tmpPath, info);
    return this.requirePathInfo(storePath);
  }

  private async findReferences(tree: string, self: string, candidates: Iterable<string>): Promise<string[]> {
    const byHash = new Map<string, string>();
    for (const c of candidates) byHash.set(c.slice(STORE_DIR.length + 1, STORE_DIR.length + 1 + HASH_PART_LENGTH), c);
    byHash.set(parseStorePath(self).hashPart, self);
    const found = await scanReferences(tree, byHash.keys());
    return [...found].map((h) => byHash.get(h)!).sort();
  }

  /** Rename into place and write the info file, under the path's lock. */
  private async install(tmpPath: string, info: PathInfo): Promise<void> {
    const lock = await this.lock(info.path);
    try {
      if (this.isValid(info.path)) {
        removeTree(tmpPath);
        return;
      }
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
      this.writeInfo(info);
    } finally {
      lock.release();
    }
  }

  writeInfo(info: PathInfo): void {
    const file = this.infoFile(info.path);
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n');
    fs.renameSync(tmp, file);
  }

  /** Forget a path (GC and repair): the info goes first, so a crash leaves it invalid, not corrupt. */
  invalidate(storePath: string): void {
    fs.rmSync(this.infoFile(storePath), { force: true });
    removeTree(this.toHost(storePath));
  }

  /** Add a file or directory from the host as a `source` path (recursive sha256, like nix-store --add). */
  async addPath(hostPath: string, opts: { name?: string; filter?: (relPath: string, isDir: boolean) => boolean } = {}): Promise<string> {
    const abs = path.resolve(hostPath);
    const name = opts.name ?? path.basename(abs);
    const tmpDir = this.makeTempDir('add');
    const tmp = path.join(tmpDir, 'x');
    try {
      copyTree(abs, tmp, '', opts.filter);
      normalizeTree(tmp);
      const { narHash } = await hashPath(tmp);
      const storePath = makeSourcePath(narHash, name);
      if (!this.isValid(storePath)) {
        await this.register(tmp, storePath, { ca: `fixed:r:${formatHash(narHash, 'nix32')}` });
      }
      return storePath;
    } finally {
      removeTree(tmpDir);
    }
  }

  /** Add a text object (a `.drv` file, a wpm.writeText) with the given references. */
  async addText(name: string, text: string, references: string[]): Promise<string> {
    const storePath = makeTextPath(name, text, references);
    if (this.isValid(storePath)) return storePath;
    const tmpDir = this.makeTempDir('text');
    const tmp = path.join(tmpDir, 'x');
    try {
      fs.writeFileSync(tmp, text);
      // A text object's references are declared, not scanned (as in Nix).
      await this.register(tmp, storePath, {
        references,
        ca: `text:${formatHash(hashBytes('sha256', text), 'nix32')}`,
      });
      return storePath;
    } finally {
      removeTree(tmpDir);
    }
  }
}

function copyTree(src: string, dest: string, rel: string, filter?: (relPath: string, isDir: boolean) => boolean): void {
  const st = fs.lstatSync(src);
  if (st.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(src), dest);
  } else if (st.isFile()) {
    fs.copyFileSync(src, dest);
    fs.chmodSync(dest, st.mode & 0o111 ? 0o755 : 0o644);
  } else if (st.isDirectory()) {
    fs.mkdirSync(dest);
    for (const name of fs.readdirSync(src)) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const child = path.join(src, name);
      if (name === '.git') continue; // never part of a source, whatever the filter says
      if (filter && !filter(childRel, fs.lstatSync(child).isDirectory())) continue;
      copyTree(child, path.join(dest, name), childRel, filter);
    }
  } else {
    throw new WpmError('ERR_STORE_SPECIAL_FILE', `${src}: not a regular file, directory or symlink`, {
      hint: 'store objects cannot hold FIFOs, sockets or devices',
    });
  }
}
