// Temporary GC roots, as in Nix: every store path a process adds, registers or finds valid is
// appended to `temproots/<pid>-<random>` before the process relies on it, and stays protected
// until the process exits. This is what keeps the inputs of a running evaluation or build alive
// before any `result` link exists.
//
// The handshake with the collector (gc-lock.ts) is: a process appends the root, *then* checks the
// GC lock and waits while it is held; the collector takes the lock, *then* reads the roots. Either
// the collector's read comes after our append (it sees the root), or our check comes after its
// lock (we wait until it is done, and only then look at the path). No path is trusted in between.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { HomeLayout } from './home.js';
import { waitWhileGcRuns, waitWhileGcRunsSync } from './gc/gc-lock.js';
import { pidAlive } from './lock.js';

class TempRootFile {
  private fd: number | undefined;
  private readonly added = new Set<string>();

  constructor(private readonly layout: HomeLayout) {}

  append(storePath: string): void {
    this.appendAll([storePath]);
  }

  /** One write for many roots (an evaluation's thousands of `.drv` paths). */
  appendAll(storePaths: Iterable<string>): void {
    const fresh = [...new Set(storePaths)].filter((p) => !this.added.has(p));
    if (fresh.length === 0) return;
    if (this.fd === undefined) {
      fs.mkdirSync(this.layout.temproots, { recursive: true });
      const file = path.join(this.layout.temproots, `${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
      this.fd = fs.openSync(file, 'a', 0o644);
      process.once('exit', () => fs.rmSync(file, { force: true }));
    }
    // Written before we go on to trust the paths: the collector reads whole lines only.
    fs.writeSync(this.fd, fresh.map((p) => `${p}\n`).join(''));
    for (const p of fresh) this.added.add(p);
  }
}

const files = new Map<string, TempRootFile>();

function fileFor(layout: HomeLayout): TempRootFile {
  let f = files.get(layout.home);
  if (!f) {
    f = new TempRootFile(layout);
    files.set(layout.home, f);
  }
  return f;
}

/**
 * Protect `storePath` for the rest of this process. Also waits while a collection runs, even for a
 * root added earlier: that addition may still be waiting in another call.
 */
export async function addTempRoot(layout: HomeLayout, storePath: string): Promise<void> {
  fileFor(layout).append(storePath);
  await waitWhileGcRuns(layout);
}

/** addTempRoot for many paths, with one write. */
export async function addTempRoots(layout: HomeLayout, storePaths: Iterable<string>): Promise<void> {
  fileFor(layout).appendAll(storePaths);
  await waitWhileGcRuns(layout);
}

export function addTempRootsSync(layout: HomeLayout, storePaths: Iterable<string>): void {
  fileFor(layout).appendAll(storePaths);
  waitWhileGcRunsSync(layout);
}

/** The pid a temp-roots file, a temporary directory or a lock leftover belongs to, from its name. */
export function ownerFromName(name: string): number | undefined {
  const m = /^(\d+)-/.exec(name);
  return m ? Number(m[1]) : undefined;
}

export interface TempRoots {
  /** Store paths protected by live processes. */
  roots: Set<string>;
  /** Files left by processes that died; the collector deletes them. */
  stale: string[];
}

/** What live processes protect. Call with the GC lock held. */
export function readTempRoots(layout: HomeLayout): TempRoots {
  const roots = new Set<string>();
  const stale: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(layout.temproots);
  } catch {
    return { roots, stale };
  }
  for (const name of names) {
    const file = path.join(layout.temproots, name);
    const owner = ownerFromName(name);
    if (owner === undefined || !pidAlive(owner)) {
      stale.push(file);
      continue;
    }
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // its owner exited meanwhile
    }
    // A line still being written has no newline yet; its writer will wait for us before using it.
    const end = text.lastIndexOf('\n');
    for (const line of text.slice(0, end + 1).split('\n')) if (line) roots.add(line);
  }
  return { roots, stale };
}
