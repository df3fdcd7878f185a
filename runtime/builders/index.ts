export type { Builder, BuildStep, BuilderContext } from './builder.js';
export { explainLimit, stepLimits, wasiLimits } from './limits.js';
export type { StepLimits } from './limits.js';
export { checkRequestBeforeBuild } from './builder.js';
export { BUILTINS, builtinRequests } from './table.js';
export type { BuiltinTable } from './table.js';
export { WasiProgramBuilder } from './wasi-program.js';
export { loadTranspiled, readBuilder, runnableFor, transpiledPath, type Runnable } from './runnable.js';
