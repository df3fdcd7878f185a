// wpm rollback : switch the profile to the generation before the current one.
import type { Command } from 'commander';
import { switchGeneration } from '../../profiles/index.js';
import { addProfileOptions, openProfile, waiting, type ProfileFlags } from '../profile-context.js';
import { reportSwitch } from './switch-generation.js';

export function register(program: Command): void {
  const cmd = program.command('rollback').description('switch the profile back to its previous generation').option('--json', 'print the outcome as JSON');
  addProfileOptions(cmd, { changes: true });
  cmd.action(async (flags: ProfileFlags) => {
    const profile = openProfile(flags);
    reportSwitch(profile, await switchGeneration(profile, 'previous', { dryRun: flags.dryRun ?? false, onWait: waiting(profile) }), flags);
  });
}
