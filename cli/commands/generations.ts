// wpm generations [delete N... | --older-than 30d] : a profile's generations, and deleting old
// ones (never the current one); `wpm store gc` then frees what only they kept.
import { InvalidArgumentError, type Command } from 'commander';
import { WpmError } from '../../util/index.js';
import { deleteGenerations, type Generation } from '../../profiles/index.js';
import { addProfileOptions, openProfile, waiting, type ProfileFlags } from '../profile-context.js';

const UNITS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/** `30d`, `12h`, `2w`: an age. */
export function parseAge(v: string): number {
  const m = /^([0-9]+)([smhdw])$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError('expects an age such as 30d, 12h or 2w');
  return Number(m[1]) * UNITS[m[2]!]!;
}

function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function line(g: Generation): string {
  return `${String(g.number).padStart(4)}   ${stamp(g.createdMs)}   ${g.path ?? '(gone from the store)'}${g.current ? '   (current)' : ''}`;
}

export function register(program: Command): void {
  const cmd = program
    .command('generations')
    .description("list a profile's generations (as nix-env --list-generations)")
    .option('--json', 'print JSON');
  addProfileOptions(cmd, { changes: false });
  cmd.action((flags: ProfileFlags) => {
    const profile = openProfile(flags);
    const gens = profile.generations();
    if (flags.json) {
      process.stdout.write(JSON.stringify(gens) + '\n');
      return;
    }
    if (gens.length === 0) process.stderr.write(`profile ${profile.name} has no generations\n`);
    for (const g of gens) process.stdout.write(line(g) + '\n');
  });

  const del = cmd
    .command('delete')
    .description('delete generations by number, or those older than an age; never the current one')
    .argument('[number...]', 'generation numbers')
    .option('--older-than <age>', 'every generation made longer ago than this, e.g. 30d, 12h (the current one is kept)', parseAge);
  addProfileOptions(del, { changes: true });
  del.action(async (numbers: string[], flags: ProfileFlags & { olderThan?: number }) => {
    if ((numbers.length > 0) === (flags.olderThan !== undefined)) throw new WpmError('ERR_USAGE', 'give generation numbers, or --older-than AGE');
    const ns = numbers.map((n) => {
      if (!/^[0-9]+$/.test(n)) throw new WpmError('ERR_USAGE', `'${n}' is not a generation number`);
      return Number(n);
    });
    const profile = openProfile(flags);
    const deleted = await deleteGenerations(profile, flags.olderThan !== undefined ? { olderThanMs: flags.olderThan } : { numbers: ns }, {
      dryRun: flags.dryRun ?? false,
      onWait: waiting(profile),
    });
    for (const g of deleted) process.stdout.write(line(g) + '\n');
    process.stderr.write(`${flags.dryRun ? 'would delete' : 'deleted'} ${deleted.length} generation${deleted.length === 1 ? '' : 's'} of profile ${profile.name}` + (deleted.length > 0 && !flags.dryRun ? '; wpm store gc frees what only they kept\n' : '\n'));
  });
}
