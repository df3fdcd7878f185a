// What users ask of the store: closures in Nix's order and their sizes, referrers, a closure as a
// tree, why one path depends on another. Read-only, from path info and the stored trees.
export { closureSet, closureSize, sortedClosure, topoSorted, type InfoOf } from './closure.js';
export { referrerIndex, referrersOf } from './referrers.js';
export { closureTree } from './tree.js';
export { whyDepends, type WhyDependsOptions } from './why-depends.js';
