// Keeping the cache directory within its size: entries and module copies least recently used go
// first (a hit touches its entry's mtime, a warm-up its module's), and what crashed processes
// left behind (temporary files, usage no warm-up took) goes after an hour. Run by warm-ups after
// they wrote, the only time the directory grows much. Two evictions at once are harmless: a file
// removed twice is simply gone, and a process reading a file that is removed keeps its open file.

import fs from 'node:fs';
import path from 'node:path';

import { ENTRY_SUFFIX } from './layout.js';

const LEFTOVER_AGE_MS = 60 * 60 * 1000;

/** Remove entries and module copies beyond `maxBytes`, least recently used first, never those in `keep`. Returns the removed names. */
export function evict(dir: string, maxBytes: number, keep: readonly string[] = []): string[] {
  const removed: string[] = [];
  const entries: { name: string; size: number; used: number }[] = [];
  const now = Date.now();
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    let st: fs.Stats;
    try {
      st = fs.statSync(path.join(dir, name));
    } catch {
      continue; // removed meanwhile
    }
    if (name.startsWith('.tmp-') || name.endsWith('.usage')) {
      if (now - st.mtimeMs > LEFTOVER_AGE_MS && remove(path.join(dir, name))) removed.push(name);
    } else if (name.endsWith(ENTRY_SUFFIX) || name.endsWith('.wasm')) {
      entries.push({ name, size: st.size, used: st.mtimeMs });
    }
  }
  // Most recently used first, `keep` before all.
  const kept = (name: string) => Number(keep.includes(name));
  entries.sort((a, b) => kept(b.name) - kept(a.name) || b.used - a.used);
  let total = 0;
  for (const e of entries) {
    total += e.size;
    if (total <= maxBytes || keep.includes(e.name)) continue;
    if (remove(path.join(dir, e.name))) removed.push(e.name);
    total -= e.size;
  }
  return removed;
}

function remove(file: string): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}
