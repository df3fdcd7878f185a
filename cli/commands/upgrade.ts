// wpm upgrade [NAME...] : evaluate again the files installed packages came from, build what
// changed, and make a new generation with the new outputs.
import type { Command } from 'commander';
import { upgrade } from '../../profiles/index.js';
import { openStore } from '../context.js';
import { addBuildOptions, addProfileOptions, commandBuilds, openProfile, reportOutcome, waiting, type ProfileBuildFlags } from '../profile-context.js';

export function register(program: Command): void {
  const cmd = program
    .command('upgrade')
    .description('evaluate the files installed packages came from again, and install what changed')
    .argument('[name...]', 'installed package names (default: all)');
  addProfileOptions(cmd, { changes: true });
  addBuildOptions(cmd);
  cmd.action(async (names: string[], flags: ProfileBuildFlags) => {
    const store = openStore();
    const profile = openProfile(flags, store);
    const builds = await commandBuilds(store, flags);
    try {
      const outcome = await upgrade(profile, names.length > 0 ? names : undefined, builds, { dryRun: flags.dryRun ?? false, onWait: waiting(profile) });
      reportOutcome(profile, outcome, flags);
    } finally {
      builds.finish();
    }
  });
}
