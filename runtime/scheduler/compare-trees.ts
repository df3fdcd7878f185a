// Compare a rebuilt output with the registered one, the way `--check` reports it: the files
// (relative paths) whose type, bytes, executable bit or link target differ, or that exist on one
// side only. Timestamps and other metadata are normalised by the store, so they never count.
import fs from 'node:fs';
import path from 'node:path';

function describe(p: string): { kind: 'file' | 'dir' | 'link' | 'none'; exec?: boolean } {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch {
    return { kind: 'none' };
  }
  if (st.isSymbolicLink()) return { kind: 'link' };
  if (st.isDirectory()) return { kind: 'dir' };
  return { kind: 'file', exec: (st.mode & 0o111) !== 0 };
}

function sameBytes(a: string, b: string): boolean {
  const sa = fs.statSync(a);
  const sb = fs.statSync(b);
  if (sa.size !== sb.size) return false;
  const fa = fs.openSync(a, 'r');
  const fb = fs.openSync(b, 'r');
  try {
    const ba = Buffer.alloc(1 << 20);
    const bb = Buffer.alloc(1 << 20);
    for (let pos = 0; pos < sa.size; ) {
      const n = fs.readSync(fa, ba, 0, ba.length, pos);
      fs.readSync(fb, bb, 0, n, pos);
      if (!ba.subarray(0, n).equals(bb.subarray(0, n))) return false;
      pos += n;
    }
    return true;
  } finally {
    fs.closeSync(fa);
    fs.closeSync(fb);
  }
}

/** Relative paths that differ ('' is the root itself), sorted. */
export function compareTrees(expected: string, actual: string): string[] {
  const diffs: string[] = [];
  const walk = (rel: string) => {
    const a = path.join(expected, rel);
    const b = path.join(actual, rel);
    const da = describe(a);
    const db = describe(b);
    const label = rel === '' ? '.' : rel;
    if (da.kind !== db.kind) {
      diffs.push(label);
      return;
    }
    if (da.kind === 'file') {
      if (da.exec !== db.exec || !sameBytes(a, b)) diffs.push(label);
    } else if (da.kind === 'link') {
      if (fs.readlinkSync(a) !== fs.readlinkSync(b)) diffs.push(label);
    } else if (da.kind === 'dir') {
      const names = new Set([...fs.readdirSync(a), ...fs.readdirSync(b)]);
      for (const name of [...names].sort()) walk(rel === '' ? name : `${rel}/${name}`);
    }
  };
  walk('');
  return diffs;
}
