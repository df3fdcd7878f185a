// wpm env : the shell lines that put a profile's launchers and `wpm` itself on PATH, for
// eval "$(wpm env)" in a shell's startup file. Launchers run `wpm run --launcher`, so wpm must be
// on PATH too: $WPM_HOME/bin holds a `wpm` link to this installation, kept here and by install.
import type { Command } from 'commander';
import { ensureWpmLink, envScript } from '../../profiles/index.js';
import { WPM_SCRIPT, addProfileOptions, openProfile, type ProfileFlags } from '../profile-context.js';

export function register(program: Command): void {
  const cmd = program.command('env').description('print the shell lines that put the profile on PATH: eval "$(wpm env)"');
  addProfileOptions(cmd, { changes: false });
  cmd.action((flags: ProfileFlags) => {
    const profile = openProfile(flags);
    const bin = ensureWpmLink(profile.store, WPM_SCRIPT);
    process.stdout.write(envScript(profile, bin, process.env));
  });
}
