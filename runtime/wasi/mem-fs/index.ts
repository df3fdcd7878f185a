// An in-memory file system behind the host's seam (host-fs.ts): the files of a step run in a
// browser worker, where no synchronous file system exists.
export { MemFs, LINUX_OPEN_FLAGS } from './mem-fs.js';
export { MemStats, fsError, type MemDir, type MemFile, type MemLink, type MemNode } from './nodes.js';
