// The NAR side of the store that touches the disk: dump, hash, restore, scan.

export { dumpPath } from './nar-dump.js';
export type { DumpOptions } from './nar-dump.js';
export { hashFileContents, hashFlatFile, hashPath } from './nar-hash.js';
export { restoreNar } from './nar-restore.js';
export { hashAndScanPath, scanReferences } from './nar-scan.js';
export { removeTreeSync } from './remove-tree.js';
