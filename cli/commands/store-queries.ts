// wpm store path-info | referrers | delete: the questions Nix users ask of a store (nix path-info
// -rsS, nix-store -q --tree, --referrers), and deleting a path only when nothing needs it.
// Registered under the existing `store` command, like sign.ts.
import type { Command } from 'commander';
import { WpmError } from '../../util/index.js';
import { closureSize, closureTree, deletePaths, formatBytes, referrerIndex, referrersOf, sortedClosure, topoSorted, type LocalStore } from '../../store/index.js';
import { openStore } from '../context.js';
import { gcPolicy } from '../gc-policy.js';
import { storePathArg } from '../store-path-arg.js';

interface PathInfoFlags {
  closure?: boolean;
  size?: boolean;
  closureSize?: boolean;
  humanReadable?: boolean;
  tree?: boolean;
  json?: boolean;
}

/** A size column as Nix prints it: right-aligned bytes, or with --human-readable one decimal and a unit. */
function sizeColumn(n: number, human: boolean): string {
  if (!human) return `\t${String(n).padStart(11)}`;
  const units = ' KMGTPE';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `\t${v.toFixed(1).padStart(6)}${units[u]}`;
}

function validArgs(s: LocalStore, paths: string[]): string[] {
  const targets = paths.map((p) => storePathArg(s, p));
  for (const t of targets) s.requirePathInfo(t);
  return targets;
}

export function register(program: Command): void {
  const store = program.commands.find((c) => c.name() === 'store');
  if (!store) throw new WpmError('ERR_INTERNAL', "'wpm store path-info' needs the store command registered first");
  store
    .command('path-info')
    .description('print what the store knows about paths: hashes, sizes, closures')
    .argument('<path...>', 'store paths or result links')
    .option('-r, --closure', 'include everything the paths refer to, recursively (references first)')
    .option('-s, --size', "print each path's NAR size")
    .option('-S, --closure-size', "print the size of each path's closure (the sum of its NAR sizes)")
    .option('--human-readable', 'sizes as 1.3K, 4.0M')
    .option('--tree', 'draw the closure of each path as a tree (as nix-store -q --tree)')
    .option('--json', 'print JSON')
    .action((paths: string[], flags: PathInfoFlags) => {
      const s = openStore();
      const roots = validArgs(s, paths);
      const infoOf = (p: string) => s.requirePathInfo(p);
      if (flags.tree) {
        for (const r of roots) process.stdout.write(closureTree(r, infoOf).join('\n') + '\n');
        return;
      }
      // In Nix's order (references first), which `nix path-info` keeps with or without -r.
      const targets = flags.closure ? sortedClosure(roots, infoOf) : topoSorted(roots, infoOf);
      if (flags.json) {
        const infos = targets.map((t) => ({ ...s.requirePathInfo(t), ...(flags.closureSize ? { closureSize: closureSize(t, infoOf) } : {}) }));
        process.stdout.write(JSON.stringify(infos, null, 2) + '\n');
        return;
      }
      if (!flags.size && !flags.closureSize) {
        for (const i of targets.map(infoOf)) process.stdout.write(`${i.path}\t${i.narHash}\t${i.narSize}\n`);
        return;
      }
      // As `nix path-info -sS`: the paths padded to one width, then the size columns.
      const width = Math.max(...targets.map((t) => t.length));
      const human = flags.humanReadable ?? false;
      for (const t of targets) {
        let line = t.padEnd(width);
        if (flags.size) line += sizeColumn(infoOf(t).narSize, human);
        if (flags.closureSize) line += sizeColumn(closureSize(t, infoOf), human);
        process.stdout.write(line + '\n');
      }
    });
  store
    .command('referrers')
    .description('print the valid paths that refer to paths (as nix-store -q --referrers)')
    .argument('<path...>', 'store paths or result links')
    .option('-r, --closure', 'everything that refers to them however indirectly, the paths included (--referrers-closure)')
    .action((paths: string[], flags: { closure?: boolean }) => {
      const s = openStore();
      const targets = validArgs(s, paths);
      for (const p of referrersOf(targets, referrerIndex(s.db.list()), { closure: flags.closure ?? false })) process.stdout.write(p + '\n');
    });
  store
    .command('delete')
    .description('delete store paths that nothing needs: no root (with keep-outputs, a live result\'s build inputs too), no running wpm, no other valid path')
    .argument('<path...>', 'store paths')
    .option('-n, --dry-run', 'check and print, delete nothing')
    .option('--keep-outputs', 'count the outputs of live derivations as live (default, or keep-outputs)')
    .option('--no-keep-outputs', 'do not')
    .option('--keep-derivations', 'count the .drv files of live paths as live (default, or keep-derivations)')
    .option('--no-keep-derivations', 'do not')
    .action(async (paths: string[], flags: { dryRun?: boolean; keepOutputs?: boolean; keepDerivations?: boolean }) => {
      const s = openStore();
      const targets = validArgs(s, paths);
      const deleted = await deletePaths(s, targets, {
        policy: gcPolicy(flags),
        dryRun: flags.dryRun ?? false,
        onWait: () => process.stderr.write('waiting for another wpm store gc or verify to finish…\n'),
      });
      for (const d of deleted) process.stdout.write(d.path + '\n');
      const freed = formatBytes(deleted.reduce((n, d) => n + d.bytes, 0));
      process.stderr.write(`${flags.dryRun ? 'would delete' : 'deleted'} ${deleted.length} store path${deleted.length === 1 ? '' : 's'}, ${flags.dryRun ? 'would free' : 'freed'} ${freed}\n`);
    });
}
