// Profiles and generations: what `wpm install` and its kin do, below the command line.
export { DEFAULT_PROFILE, Profile } from './profile.js';
export type { Generation } from './profile.js';
export { GENERATION_NAME, buildGeneration, generationDerivation } from './generation.js';
export type { Realise } from './generation.js';
export { requireInstalled, withInstalled, withRemoved, withUpgraded } from './changes.js';
export type { Change, Changed } from './changes.js';
export { deleteGenerations, install, remove, switchGeneration, upgrade } from './operations.js';
export type { InstallRequest, OperationOptions, Outcome, ProfileBuilds } from './operations.js';
export { ensureWpmLink, envScript } from './wpm-link.js';
