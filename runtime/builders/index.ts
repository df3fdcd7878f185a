export type { Builder, BuildStep, BuilderContext } from './builder.js';
export { explainLimit, stepLimits, wasiLimits } from './limits.js';
export type { StepLimits } from './limits.js';
export { checkRequestBeforeBuild } from './builder.js';
export { BUILTINS, builtinRequests } from './table.js';
export type { BuiltinTable } from './table.js';
export { WasiProgramBuilder } from './wasi-program.js';
export { loadTranspiled, readBuilder, runnableFor, transpiledPath, type Runnable } from './runnable.js';
// Remote execution is loaded only when asked for (loadRemote): its gRPC and protobuf libraries
// took a third of every `wpm build` and `wpm run` start.
export type { RemoteBuilder } from './remote.js';
export type { RemoteExecutor, RemoteEvent, RemoteSettings } from './remote/executor.js';
export const loadRemote = async () => {
  const [{ RemoteBuilder }, { RemoteExecutor }] = await Promise.all([import('./remote.js'), import('./remote/executor.js')]);
  return { RemoteBuilder, RemoteExecutor };
};
export { LAUNCHER_SCRIPT } from './buildenv/launchers.js';
export {
  DEFAULT_PRIORITY,
  LAUNCHERS_DIR,
  MANIFEST_FILE,
  emptyManifest,
  manifestText,
  parseLauncherConfig,
  parseManifest,
  type CwdAccess,
  type GrantedDir,
  type LauncherConfig,
  type ManifestEntry,
  type ProfileManifest,
} from './buildenv/manifest.js';
