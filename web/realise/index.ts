// Building in the tab: realising a plan on step workers, registering outputs as the CLI does,
// and applying an edit of a source file to the tab's store.
export { realise } from './realise.js';
export type { RealiseEvent, RealiseOptions, RealiseResult, StepState } from './realise.js';
export { StepPool } from './step-pool.js';
export type { PoolStep } from './step-pool.js';
export { loadTarget, applyEdit } from './target.js';
export { cacheHas, ensureValid, narBytes, storeDrvReader } from './cache-access.js';
export type { CacheOptions } from './cache-access.js';
export { builtOutputInfo, sourceInfo, textObjectInfo } from './path-infos.js';
export { fileInNar, singleFileNar, splitStoreFile } from './nar-file.js';
