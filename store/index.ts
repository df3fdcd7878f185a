// The store's API: everything outside store/ imports it from here.
export * from './format/index.js';
export * from './nar/index.js';
export { LocalStore } from './local-store.js';
export type { LocalStoreOptions } from './local-store.js';
export type { HostSource, RegisterOptions, TreeToRegister } from './registration.js';
export type { TextObject } from './text-objects.js';
export type { InstallHooks } from './store-context.js';
export { PathInfoDb } from './path-info-db.js';
export type { PathInfo } from './path-info.js';
export { defaultHome, homeLayout } from './home.js';
export type { HomeLayout } from './home.js';
export { acquireLock, isLockHeld, lockOwner, pidAlive, sweepStaleLocks } from './lock.js';
export type { Lock } from './lock.js';
export { normalizeTree, removeTree } from './tree/normalize.js';
export { FlushBatch } from './tree/flush-batch.js';
export { installBatch, newFlushBatch, referenceLevels } from './install-batch.js';
export type { FinishedTree } from './install-batch.js';
export { copyTree } from './tree/copy-tree.js';
export type { CopyFilter } from './tree/copy-tree.js';
export { addTempRoot, readTempRoots } from './temp-roots.js';
export { acquireGcLock, gcLockPath, gcRunning } from './gc/gc-lock.js';
export { collectGarbage } from './gc/collect.js';
export type { GcOptions, GcResult } from './gc/collect.js';
export { verifyStore, problemPath } from './verify.js';
export type { Problem, VerifyOptions, VerifyResult } from './verify.js';
export {
  addGcRootLink,
  addGenerationLink,
  checkResultLink,
  findRoots,
  generationLinkPath,
  listGenerationLinks,
  removeGenerationLink,
  replaceSymlink,
  resolveIntoStore,
} from './gc/root-links.js';
export type { GcRoot, GenerationLink } from './gc/root-links.js';
export { deletePaths } from './gc/delete-paths.js';
export type { DeleteOptions } from './gc/delete-paths.js';
export type { LivePolicy } from './gc/live-set.js';
export * from './query/index.js';
export type { Garbage, GarbageKind } from './gc/garbage.js';
export { diskUsage, formatBytes } from './tree/disk-usage.js';
