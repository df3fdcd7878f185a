// The browser's store, in the Origin Private File System. One directory per store (default 'wpm'):
//   nar/<hashpart>.nar    the path's NAR, exactly the bytes whose hash the path info records
//   info/<hashpart>.json  its path info, the CLI's record (path, narHash, narSize, references, …)
// The same validity rule as the CLI's store: a path is valid once its info exists, and the info is
// written last, after the NAR is complete and closed; a NAR without info (a tab closed mid-write)
// is invisible and overwritten by the next substitution. Each file is written through
// createWritable, which writes to a swap file and replaces the target only on close(); the
// target itself exists, empty, from the moment it is created, so an empty info is not valid.
// Writers of one path (tabs, workers) take a Web Lock on it, as CLI processes take a file lock.
// DOM types for these browser APIs, whichever tsconfig compiles this file.
/// <reference lib="dom" />
/// <reference lib="dom.asynciterable" />

import { parseStorePath } from '../../store/format/index.js';
import { WpmError } from '../../util/errors.js';
import type { PathInfo } from '../../store/index.js';

/** A valid path's info: the CLI's own record (store/path-info.ts), as `wpm store path-info --json` prints it. */
export type { PathInfo };

export interface BrowserStore {
  readonly name: string;
  /** The info of a valid path, or undefined. */
  queryPathInfo(path: string): Promise<PathInfo | undefined>;
  /**
   * Makes `info.path` valid with these NAR bytes (already checked against the info). Resolves to
   * false if the path was valid already (another tab or worker made it so meanwhile).
   */
  addPath(info: PathInfo, nar: Uint8Array): Promise<boolean>;
  /** The NAR of a valid path. */
  readNar(path: string): Promise<Blob>;
  /** Every valid path's info, sorted by path. */
  list(): Promise<PathInfo[]>;
}

function storeError(what: string, err: unknown): WpmError {
  const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new WpmError('ERR_WEB_STORE', `the browser store could not ${what}: ${why}`, { cause: err });
}

async function writeFile(dir: FileSystemDirectoryHandle, name: string, data: Uint8Array | string): Promise<void> {
  const file = await dir.getFileHandle(name, { create: true });
  const w = await file.createWritable({ keepExistingData: false });
  try {
    await w.write(data as BufferSource | string);
    await w.close();
  } catch (err) {
    await w.abort().catch(() => undefined);
    throw err;
  }
}

async function fileOf(dir: FileSystemDirectoryHandle, name: string): Promise<File | undefined> {
  try {
    return await (await dir.getFileHandle(name)).getFile();
  } catch (err) {
    if (err instanceof DOMException && err.name === 'NotFoundError') return undefined;
    throw err;
  }
}

function hashPartOf(path: string): string {
  return parseStorePath(path).hashPart;
}

/** Opens (creating if needed) the store named `name` in this origin's private file system. */
export async function openBrowserStore(name = 'wpm'): Promise<BrowserStore> {
  if (!globalThis.navigator?.storage?.getDirectory) {
    throw new WpmError('ERR_WEB_UNSUPPORTED', 'this browser has no Origin Private File System (navigator.storage.getDirectory)', {
      hint: 'use a current Chromium or Firefox, on https:// or http://localhost',
    });
  }
  let nars: FileSystemDirectoryHandle;
  let infos: FileSystemDirectoryHandle;
  try {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(name, { create: true });
    nars = await root.getDirectoryHandle('nar', { create: true });
    infos = await root.getDirectoryHandle('info', { create: true });
  } catch (err) {
    throw storeError(`open '${name}'`, err);
  }

  const readInfo = async (hashPart: string): Promise<PathInfo | undefined> => {
    const file = await fileOf(infos, `${hashPart}.json`);
    // getFileHandle({ create: true }) makes the file, empty, before its writable is closed: in
    // Firefox another tab sees it so. An info is never empty, so an empty one is a write in
    // progress (or a tab closed during one), and the path not valid yet.
    if (!file || file.size === 0) return undefined;
    const info = JSON.parse(await file.text()) as PathInfo;
    // The info is only written after its NAR, but a NAR removed by hand (devtools) voids it.
    const nar = await fileOf(nars, `${hashPart}.nar`);
    if (!nar || nar.size !== info.narSize) return undefined;
    return info;
  };

  const store: BrowserStore = {
    name,
    async queryPathInfo(path) {
      const hashPart = hashPartOf(path);
      try {
        const info = await readInfo(hashPart);
        return info && info.path === path ? info : undefined;
      } catch (err) {
        throw storeError(`read the info of ${path}`, err);
      }
    },
    async addPath(info, nar) {
      const hashPart = hashPartOf(info.path);
      if (nar.length !== info.narSize) throw new WpmError('ERR_SUBSTITUTE_NAR_SIZE', `${info.path}: NAR of ${nar.length} bytes, its info says ${info.narSize}`);
      const write = async () => {
        if ((await readInfo(hashPart))?.path === info.path) return false; // another tab made it valid meanwhile
        try {
          await writeFile(nars, `${hashPart}.nar`, nar);
          await writeFile(infos, `${hashPart}.json`, JSON.stringify(info, null, 2) + '\n');
        } catch (err) {
          throw storeError(`write ${info.path}`, err);
        }
        return true;
      };
      // Web Locks are in every browser with OPFS; the fallback only covers odd embeddings.
      if (globalThis.navigator?.locks) return navigator.locks.request(`wpm-store:${name}:${hashPart}`, write);
      return write();
    },
    async readNar(path) {
      const info = await store.queryPathInfo(path);
      if (!info) throw new WpmError('ERR_WEB_STORE', `${path} is not valid in the browser store '${name}'`);
      return (await fileOf(nars, `${hashPartOf(path)}.nar`))!;
    },
    async list() {
      const out: PathInfo[] = [];
      try {
        for await (const entryName of infos.keys()) {
          if (!entryName.endsWith('.json')) continue;
          const info = await readInfo(entryName.slice(0, -5));
          if (info) out.push(info);
        }
      } catch (err) {
        throw storeError(`list '${name}'`, err);
      }
      return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
  };
  return store;
}

/** Removes the store named `name` and everything in it. */
export async function removeBrowserStore(name = 'wpm'): Promise<void> {
  const root = await navigator.storage.getDirectory();
  await root.removeEntry(name, { recursive: true }).catch((err: unknown) => {
    if (!(err instanceof DOMException && err.name === 'NotFoundError')) throw storeError(`remove '${name}'`, err);
  });
}
