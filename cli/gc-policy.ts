// What GC keeps besides the closures of its roots, for every command that deletes store paths
// (`wpm store gc`, `wpm store delete`): flags over the keep-outputs / keep-derivations settings.
import type { LivePolicy } from '../store/index.js';
import { commandSettings } from './config.js';

export function gcPolicy(flags: { keepOutputs?: boolean | undefined; keepDerivations?: boolean | undefined }): LivePolicy {
  const settings = commandSettings();
  return {
    keepOutputs: flags.keepOutputs ?? settings.keepOutputs,
    keepDerivations: flags.keepDerivations ?? settings.keepDerivations,
  };
}
