// Evaluation meets the store: what a command calls to evaluate a file and build it.
export { evaluateFile, collectTargets } from './evaluate.js';
export type { EvalTarget, Evaluated, EvaluateOptions, Target } from './evaluate.js';
export { buildFile } from './build.js';
export { compileCommands, compileSteps } from './compile-commands.js';
export type { CompileCommand } from './compile-commands.js';
export type { EvalLimits } from './eval-limits.js';
export type { BuildFileOptions } from './build.js';
export { storeEvalIO } from './eval-io.js';
export { DrvWriter } from './drv-writer.js';
export { EvalCache, EvalRecorder } from './eval-cache.js';
export type { EvalCacheRequest } from './eval-cache.js';
export { dryRunDerivations, dryRunFile } from './dry-run.js';
export type { DryRun, Substitutable, SubstitutableQuery } from './dry-run.js';
