// wpm profile path : the directory of a profile's launchers, for PATH.
import type { Command } from 'commander';
import { addProfileOptions, openProfile, type ProfileFlags } from '../profile-context.js';

export function register(program: Command): void {
  const profile = program.command('profile').description('about a profile');
  const cmd = profile.command('path').description("print the profile's bin directory (the one to put on PATH; it follows every switch)");
  addProfileOptions(cmd, { changes: false });
  cmd.action((flags: ProfileFlags) => {
    process.stdout.write(openProfile(flags).binDir + '\n');
  });
}
