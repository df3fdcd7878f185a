// Running a WASI step without a disk: for browser workers, and for tests that hold it to the CLI.
export { runStepInMemory, type InMemoryResult, type InMemoryStep } from './run-step.js';
export { narToTree } from './nar-tree.js';
export { treeToNar } from './tree-nar.js';
