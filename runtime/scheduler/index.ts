export type { BuildEvent, EventSink } from './events.js';
// The walk itself is pure and lives with the derivations, so the browser tab plans with it too.
export { planBuild } from '../../derivations/index.js';
export type { Plan, Step } from '../../derivations/index.js';
export { runPlan } from './scheduler.js';
export type { ScheduleOptions, ScheduleResult, StepBuilder } from './scheduler.js';
export { LocalBuilder, readDerivation } from './local-builder.js';
export type { LocalBuilderOptions } from './local-builder.js';
export { logFileOf, readLogTail } from './logs.js';
export { realise } from './realise.js';
export type { RealiseOptions } from './realise.js';
export type { Substituter } from './substituter.js';
