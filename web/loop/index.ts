// The browser tab's build loop, without `node:`: read a target's `.drv` closure, plan it against
// the tab's store and a binary cache, and edit a source file of it as `wpm.path` would.
export { readDrvClosure } from './drv-closure.js';
export type { DrvClosure, ReadDrv } from './drv-closure.js';
export { inputClosure, inputRoots, planInTab } from './tab-plan.js';
export type { TabPlan, TabStep, TabStores } from './tab-plan.js';
export { fileSourcePath } from './source-path.js';
export type { FileSourceOptions } from './source-path.js';
export { editSource } from './edit-source.js';
export type { RewrittenDerivation, SourceEdit } from './edit-source.js';
