// wpm store … : add paths, inspect path info, collect garbage, verify the store.
import fs from 'node:fs';
import type { Command } from 'commander';
import { isWpmError, WpmError } from '../../util/index.js';
import {
  collectGarbage,
  findRoots,
  formatBytes,
  problemPath,
  verifyStore,
  type GarbageKind,
  type Problem,
} from '../../store/index.js';
import { openStore } from '../context.js';
import { gcPolicy } from '../gc-policy.js';
import { sizeArg } from '../options.js';

function describe(p: Problem): string {
  switch (p.kind) {
    case 'hash-mismatch':
      return `${p.path} was modified: NAR hash ${p.actual} (${p.actualSize} bytes), expected ${p.expected} (${p.expectedSize} bytes)`;
    case 'missing':
      return `${p.path} is valid but missing on disk`;
    case 'unreadable':
      return `${p.path} cannot be read: ${p.message}`;
    case 'dangling-reference':
      return `${p.path} refers to ${p.reference}, which is not valid`;
    case 'corrupt-info':
      return `path info ${p.file} is corrupt: ${p.message}`;
  }
}

/** "1 path", "2 paths". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

const waiting = () => process.stderr.write('waiting for another wpm store gc or verify to finish…\n');

/** What each kind of leftover is, for people. */
const GARBAGE_WORDS: Record<GarbageKind, string> = {
  'invalid-path': 'a store directory without path info',
  'temp-dir': 'temporary work of a process that has ended',
  'info-temp': 'a half-written path info of a process that has ended',
  'temp-roots': 'the temporary roots of a process that has ended',
  'lock-temp': 'a half-made lock file of a process that has ended',
  'stale-lock': 'a lock held by a process that was killed',
};

export function register(program: Command): void {
  const store = program.command('store').description('manage the local store');
  store
    .command('add')
    .description('add a file or directory to the store (like nix-store --add) and print its path')
    .argument('<path...>', 'files or directories')
    .action(async (paths: string[]) => {
      const s = openStore();
      // Checked first, so that a typo is an error about the name given, not an internal one.
      for (const p of paths) if (!fs.lstatSync(p, { throwIfNoEntry: false })) throw new WpmError('ERR_USAGE', `${p}: no such file or directory`);
      // One batch: the paths are flushed to disk together and registered in one transaction.
      let storePaths: string[];
      try {
        storePaths = await s.addPaths(paths.map((hostPath) => ({ hostPath })));
      } catch (cause) {
        if (isWpmError(cause) || (cause as NodeJS.ErrnoException).code === undefined) throw cause;
        throw new WpmError('ERR_STORE_ADD', `cannot add ${paths.length === 1 ? paths[0] : 'the paths'}: ${(cause as Error).message}`, { cause });
      }
      process.stdout.write(storePaths.map((p) => p + '\n').join(''));
    });
  store
    .command('gc')
    .description('delete every store path no GC root keeps (result links, profile generations, links under gcroots/, running builds)')
    .option('-n, --dry-run', 'print what would be deleted, delete nothing')
    .option('--keep-outputs', "keep the outputs of live derivations: what built each live result (default, or keep-outputs)")
    .option('--no-keep-outputs', "keep only what live results refer to, not what built them (Nix's default)")
    .option('--keep-derivations', 'keep the .drv files that built live paths (default, or keep-derivations)')
    .option('--no-keep-derivations', 'do not keep the .drv files that built live paths')
    .option('--max-freed <size>', 'stop once this much is freed, e.g. 500M', sizeArg)
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nPrints each deleted path on stdout and a summary on stderr.\n')
    .action(async (flags: { dryRun?: boolean; keepOutputs?: boolean; keepDerivations?: boolean; maxFreed?: number; json?: boolean }) => {
      const s = openStore();
      const r = await collectGarbage(s, {
        dryRun: flags.dryRun ?? false,
        ...gcPolicy(flags),
        ...(flags.maxFreed !== undefined ? { maxFreed: flags.maxFreed } : {}),
        onWait: waiting,
        ...(flags.json ? {} : { onDelete: (p: string) => process.stdout.write(p + '\n') }),
      });
      if (flags.json) {
        process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        return;
      }
      const verb = r.dryRun ? 'would delete' : 'deleted';
      const leftovers = r.garbage.length > 0 ? ` and ${count(r.garbage.length, 'leftover')}` : '';
      process.stderr.write(
        `${verb} ${count(r.deleted.length, 'store path')}${leftovers}, ${r.dryRun ? 'would free' : 'freed'} ${formatBytes(r.bytesFreed)}; ` +
          `kept ${r.live} (${count(r.roots.length, 'root')}, ${count(r.inUse.length, 'path')} in use)\n`,
      );
    });
  store
    .command('verify')
    .description('re-hash every valid path and check the store is consistent; exits 4 if anything is corrupt')
    .option('--repair', 'invalidate corrupt paths (the next build rebuilds them) and delete leftovers')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { repair?: boolean; json?: boolean }) => {
      const s = openStore();
      const r = await verifyStore(s, { repair: flags.repair ?? false, onWait: waiting });
      if (flags.json) {
        process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      } else {
        for (const p of r.problems) process.stdout.write(`corrupt: ${describe(p)}\n`);
        for (const g of r.garbage) process.stdout.write(`${flags.repair ? 'removed' : 'garbage'}: ${g.storePath ?? g.host} (${GARBAGE_WORDS[g.kind]})\n`);
        for (const p of r.invalidated) process.stdout.write(`invalidated: ${p}\n`);
        process.stderr.write(
          `checked ${count(r.checked, 'path')}: ${count(r.problems.length, 'problem')}, ${count(r.garbage.length, 'leftover')} (files no valid path owns: harmless, gc deletes them)\n`,
        );
      }
      if (r.problems.length > 0 && !flags.repair) {
        throw new WpmError('ERR_STORE_CORRUPT', `the store at ${s.home} has ${count(r.problems.length, 'problem')}: ${r.problems.map(problemPath).join(', ')}`, {
          hint: 'run `wpm store verify --repair` to invalidate the corrupt paths; the next build rebuilds them',
        });
      }
    });
  store
    .command('roots')
    .description('print the GC roots: each link under gcroots/ and the store path it keeps')
    .action(() => {
      const s = openStore();
      for (const r of findRoots(s).roots) process.stdout.write(`${r.via ?? r.link} -> ${r.path}\n`);
    });
}
