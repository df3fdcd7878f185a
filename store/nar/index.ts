// The NAR side of the store that touches the disk: dump, hash, restore, scan.

export { dumpPath } from './dump.js';
export type { DumpOptions } from './dump.js';
export { hashFileContents, hashFlatFile, hashPath } from './hash.js';
export { restoreNar, restoreNarTree } from './restore.js';
export { narHasher, type NarHasher } from './nar-hasher.js';
export { importTree } from './import-tree.js';
export { hashAndScanPath, scanReferences } from './scan.js';
export { removeTreeSync } from '../tree/remove-tree.js';
