// wpm list : the packages installed in a profile's current generation.
import type { Command } from 'commander';
import { DEFAULT_PRIORITY } from '../../runtime/builders/index.js';
import { addProfileOptions, openProfile, type ProfileFlags } from '../profile-context.js';

export function register(program: Command): void {
  const cmd = program
    .command('list')
    .description("list the packages installed in a profile: name, output, and the file and attribute it came from")
    .option('--json', 'print the manifest as JSON');
  addProfileOptions(cmd, { changes: false });
  cmd.action((flags: ProfileFlags) => {
    const profile = openProfile(flags);
    const manifest = profile.manifest();
    if (flags.json) {
      process.stdout.write(JSON.stringify(manifest.packages, null, 2) + '\n');
      return;
    }
    if (manifest.packages.length === 0) process.stderr.write(`profile ${profile.name} is empty\n`);
    for (const p of manifest.packages) {
      const from = p.attr === '' ? p.file : `${p.file} -A ${p.attr}`;
      const extra = [p.priority !== DEFAULT_PRIORITY ? `priority ${p.priority}` : '', p.cwd !== 'rw' ? `cwd ${p.cwd}` : '', ...p.dirs.map((d) => `dir ${d.host}${d.guest !== d.host ? `:${d.guest}` : ''}`)].filter(Boolean);
      process.stdout.write(`${p.name}\t${p.outPath}\t${from}${extra.length > 0 ? `\t(${extra.join(', ')})` : ''}\n`);
    }
  });
}
