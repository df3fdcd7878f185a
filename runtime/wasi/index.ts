// wpm's own hermetic wasi_snapshot_preview1 host: a virtual file system over the step's
// mounts, deterministic clocks and randomness, limits; guests run in worker threads, or in the
// calling thread for `wpm run` of a small program (run-here.ts).

export type { Mount, OutputSink, WasiLimits, WasiResult, WasiRunOptions } from './types.js';
export { WasiPool, type WasiPoolOptions } from './pool.js';
export { runInThisThread } from './run-here.js';
export type { ReactorCall } from './reactor.js';
export { compileModule, loadModule, useBaselineCompilerOnly } from './module.js';
export { configureCodeCache, recordCodeCacheUsage, type CodeCacheOptions } from './code-cache/index.js';
export { preopenPaths, STORE_DIR } from './host.js';
export * from './component/index.js';
