// WASI 0.2 components: detection, transpiling with jco, and running under wpm's own
// preview2 interfaces over the preview1 host's sandbox.

export { isComponent, wasmKind, type WasmKind } from './detect.js';
export { checkImports, transpileComponent, COMPONENT_ENTRY, COMPONENT_META, type ComponentMeta } from './transpile.js';
export { missingImports, PROVIDED_INTERFACES } from './imports.js';
export type { ComponentRunnable } from './run.js';
