export type { Builder, BuildStep, BuilderContext, StepLimits } from './builder.js';
export { checkRequestBeforeBuild } from './builder.js';
export { BUILTINS, builtinRequests } from './table.js';
export type { BuiltinTable } from './table.js';
export { WasiProgramBuilder } from './wasi-program.js';
export { loadTranspiled, readBuilder, runnableFor, transpiledPath, type Runnable } from './runnable.js';
