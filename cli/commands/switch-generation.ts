// wpm switch-generation N : point the profile at one of its generations.
import type { Command } from 'commander';
import { WpmError } from '../../util/index.js';
import { switchGeneration, type Generation, type Profile } from '../../profiles/index.js';
import { addProfileOptions, openProfile, waiting, type ProfileFlags } from '../profile-context.js';

export function reportSwitch(profile: Profile, r: { from?: Generation; to: Generation }, flags: ProfileFlags): void {
  if (flags.json) {
    process.stdout.write(JSON.stringify({ profile: profile.name, from: r.from?.number ?? null, to: r.to.number, dryRun: flags.dryRun ?? false }) + '\n');
    return;
  }
  const verb = flags.dryRun ? 'would switch' : 'switched';
  process.stderr.write(`${verb} profile ${profile.name} from generation ${r.from?.number ?? '(none)'} to ${r.to.number} (${r.to.path})\n`);
}

export function register(program: Command): void {
  const cmd = program
    .command('switch-generation')
    .description('point the profile at one of its generations (wpm generations lists them)')
    .argument('<number>', 'the generation')
    .option('--json', 'print the outcome as JSON');
  addProfileOptions(cmd, { changes: true });
  cmd.action(async (n: string, flags: ProfileFlags) => {
    if (!/^[0-9]+$/.test(n)) throw new WpmError('ERR_USAGE', `'${n}' is not a generation number`);
    const profile = openProfile(flags);
    reportSwitch(profile, await switchGeneration(profile, Number(n), { dryRun: flags.dryRun ?? false, onWait: waiting(profile) }), flags);
  });
}
