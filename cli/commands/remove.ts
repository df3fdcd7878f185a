// wpm remove NAME... : a new generation of the profile without these packages.
import type { Command } from 'commander';
import { remove } from '../../profiles/index.js';
import { openStore } from '../context.js';
import { addProfileOptions, commandBuilds, openProfile, reportOutcome, waiting, type ProfileBuildFlags } from '../profile-context.js';

export function register(program: Command): void {
  const cmd = program
    .command('remove')
    .description('remove installed packages from a profile (a new generation without them)')
    .argument('<name...>', 'installed package names (wpm list)')
    .option('--json', 'print the outcome as JSON');
  addProfileOptions(cmd, { changes: true });
  cmd.action(async (names: string[], flags: ProfileBuildFlags) => {
    const store = openStore();
    const profile = openProfile(flags, store);
    const builds = await commandBuilds(store, flags);
    const outcome = await remove(profile, names, builds, { dryRun: flags.dryRun ?? false, onWait: waiting(profile) });
    reportOutcome(profile, outcome, flags);
  });
}
