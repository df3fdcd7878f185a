// Durability for registration: a path's bytes must be on disk before its info file says it is
// valid, or a power cut could leave a valid path with empty files. SIGKILL alone needs none of
// this (the kernel keeps what was written); fsync is for the machine going down.
//
// fsyncs run many at once on libuv's thread pool: on ext4 the journal commits them together, so
// 3,000 small files take ≈ 0.5 s instead of ≈ 3.4 s one after another (measured on this machine).
import fs from 'node:fs';

const PARALLEL = 32;

async function syncOne(p: Buffer | string, dir: boolean): Promise<void> {
  if (dir && process.platform === 'win32') return; // directories cannot be opened for fsync there
  // Directories are opened read-only; that is enough to fsync their entries on Linux and macOS.
  const handle = await fs.promises.open(p, dir ? fs.constants.O_RDONLY | fs.constants.O_DIRECTORY : fs.constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync every listed file and directory (as returned by normalizeTree). */
export async function syncTree(entries: { files: (Buffer | string)[]; dirs: (Buffer | string)[] }): Promise<void> {
  const work: [Buffer | string, boolean][] = [
    ...entries.files.map((f) => [f, false] as [Buffer | string, boolean]),
    ...entries.dirs.map((d) => [d, true] as [Buffer | string, boolean]),
  ];
  let next = 0;
  const worker = async () => {
    while (next < work.length) {
      const [p, dir] = work[next++]!;
      await syncOne(p, dir);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, work.length) }, worker));
}

/** fsync one directory, so a rename or a new entry in it survives a crash. */
export function syncDir(dir: string): void {
  if (process.platform === 'win32') return; // directories cannot be opened for fsync there
  const fd = fs.openSync(dir, fs.constants.O_RDONLY);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
