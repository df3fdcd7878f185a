// The one file-system seam of the host: exactly the synchronous calls the host makes on the
// files behind its mounts. In the CLI it is node:fs itself (node-host-fs.ts), so nothing is
// wrapped on the hot path; in a browser worker it is an in-memory tree (mem-fs/), because OPFS
// offers only asynchronous directory operations and a WASI system call must answer at once.

/** What the host reads of a file's metadata (a subset of node:fs.Stats). */
export interface HostStats {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  size: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}

/** open(2) flags, with Linux's numbers (node:fs.constants there). */
export interface OpenFlags {
  O_RDONLY: number;
  O_WRONLY: number;
  O_RDWR: number;
  O_CREAT: number;
  O_EXCL: number;
  O_TRUNC: number;
  O_APPEND: number;
  O_NOFOLLOW: number;
}

/**
 * The calls, named and typed as in node:fs so that module satisfies it unchanged. Failures throw
 * an error whose `code` is the POSIX name ('ENOENT', …), which errno.ts maps to a WASI errno.
 */
export interface HostFs {
  readonly constants: OpenFlags;
  lstatSync(path: string, opts: { throwIfNoEntry: false }): HostStats | undefined;
  fstatSync(fd: number): HostStats;
  openSync(path: string, flags: number, mode?: number): number;
  /** pos null: at the descriptor's own position (only stdin of `wpm run`). */
  readSync(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number;
  /** pos omitted: at the descriptor's own position (log files opened for appending). */
  writeSync(fd: number, buf: Uint8Array, off: number, len: number, pos?: number): number;
  closeSync(fd: number): void;
  ftruncateSync(fd: number, len: number): void;
  readdirSync(path: string): string[];
  readlinkSync(path: string): string;
  mkdirSync(path: string, mode: number): unknown;
  rmdirSync(path: string): void;
  unlinkSync(path: string): void;
  renameSync(from: string, to: string): void;
  linkSync(existing: string, path: string): void;
  symlinkSync(target: string, path: string): void;
  /** Whether a descriptor is a terminal (tty.isatty in Node). */
  isatty(fd: number): boolean;
}

/** Flags of a log file the host appends a guest's stdout/stderr to (node's 'a'). */
export function appendFlags(fs: HostFs): number {
  return fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT;
}
