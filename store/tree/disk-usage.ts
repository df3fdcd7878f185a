// How much disk a tree takes (allocated blocks, as `du` counts), to report what GC frees.
import fs from 'node:fs';

const SLASH = Buffer.from('/');

export function diskUsage(root: string): number {
  let total = 0;
  const stack: Buffer[] = [Buffer.from(root)];
  while (stack.length > 0) {
    const p = stack.pop()!;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      continue; // already gone
    }
    // Windows reports no blocks; the size is the next best thing there.
    total += st.blocks !== undefined && process.platform !== 'win32' ? st.blocks * 512 : st.size;
    if (st.isDirectory()) {
      let names: Buffer[];
      try {
        names = fs.readdirSync(p, { encoding: 'buffer' });
      } catch {
        continue; // unreadable: counted as its own size only
      }
      for (const name of names) stack.push(Buffer.concat([p, SLASH, name]));
    }
  }
  return total;
}

/** 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[u]}`;
}
