// The files of the cache directory ($WPM_HOME/cache/wasm-code):
//   <key>.code          an entry (entry.ts): a module's optimized code for one Node, CPU and set of flags
//   <key>.lock          a warm-up for the key is running: {"pid": …} (request.ts)
//   <key>.failed        the last warm-up for the key failed: {"time": …, "why": …}; none again for a day
//   <key>.<pid>.usage   what process <pid> compiled of the module (V8's serialization), for a warm-up
//   <key>.unchanged     the last usage brought nothing new: no warm-up for ten minutes (V8 13.6
//                       serializes the same code differently in each process, so usage that
//                       differs from the entry is not always new)
//   <sha256>.wasm       a module's own bytes, which warm-ups compile
//   warm.log            one line per warm-up, for people wondering where their CPU went

import fs from 'node:fs';
import path from 'node:path';

export const ENTRY_SUFFIX = '.code';
export const RETRY_FAILED_AFTER_MS = 24 * 60 * 60 * 1000;
export const RETRY_UNCHANGED_AFTER_MS = 10 * 60 * 1000;

export const entryFile = (dir: string, key: string) => path.join(dir, `${key}${ENTRY_SUFFIX}`);
export const lockFile = (dir: string, key: string) => path.join(dir, `${key}.lock`);
export const failedFile = (dir: string, key: string) => path.join(dir, `${key}.failed`);
export const usageFile = (dir: string, key: string, pid: number) => path.join(dir, `${key}.${pid}.usage`);
export const unchangedFile = (dir: string, key: string) => path.join(dir, `${key}.unchanged`);
export const moduleFile = (dir: string, moduleSha: string) => path.join(dir, `${moduleSha}.wasm`);
export const logFile = (dir: string) => path.join(dir, 'warm.log');

/** Write a file whole or not at all: a temporary name in the same directory, then a rename. */
export function writeAtomically(file: string, parts: readonly Uint8Array[]): number {
  const tmp = path.join(path.dirname(file), `.tmp-${process.pid}-${path.basename(file)}`);
  let size = 0;
  try {
    const fd = fs.openSync(tmp, 'w', 0o644);
    try {
      for (const part of parts) {
        let off = 0;
        while (off < part.length) off += fs.writeSync(fd, part, off, part.length - off);
        size += part.length;
      }
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return size;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The last warm-up for this key failed less than a day ago: its reason, else null. */
export function recentFailure(dir: string, key: string): string | null {
  try {
    const { time, why } = JSON.parse(fs.readFileSync(failedFile(dir, key), 'utf8')) as { time: number; why: string };
    return Date.now() - time < RETRY_FAILED_AFTER_MS ? why : null;
  } catch {
    return null;
  }
}

export function markFailed(dir: string, key: string, why: string): void {
  try {
    fs.writeFileSync(failedFile(dir, key), JSON.stringify({ time: Date.now(), why }));
  } catch {
    // the directory is gone (a test's home, removed): nothing to remember it in
  }
}

/** A usage of this key brought nothing new less than ten minutes ago. */
export function recentlyUnchanged(dir: string, key: string): boolean {
  try {
    return Date.now() - fs.statSync(unchangedFile(dir, key)).mtimeMs < RETRY_UNCHANGED_AFTER_MS;
  } catch {
    return false;
  }
}
