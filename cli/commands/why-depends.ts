// wpm why-depends A B: why the closure of A holds B (as `nix why-depends --precise`): the chain of
// references from A to B and, at each link, the file of the referrer in which the reference occurs.
import type { Command } from 'commander';
import { whyDepends } from '../../store/index.js';
import { openStore } from '../context.js';
import { storePathArg } from '../store-path-arg.js';

const colour = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;

export function register(program: Command): void {
  program
    .command('why-depends')
    .description('show why a store path depends on another: the chain of references, and the file each is found in')
    .argument('<path>', 'the store path (or result link) whose closure holds the dependency')
    .argument('<dependency>', 'the store path (or link) it depends on')
    .option('-a, --all', 'every edge leading to the dependency, not one shortest chain')
    .action((from: string, to: string, flags: { all?: boolean }) => {
      const s = openStore();
      const a = storePathArg(s, from);
      const b = storePathArg(s, to);
      s.requirePathInfo(a);
      s.requirePathInfo(b);
      const tty = process.stdout.isTTY === true;
      const lines = whyDepends(a, b, (p) => s.requirePathInfo(p), (p) => s.toHost(p), {
        all: flags.all ?? false,
        ...(tty ? { hilite: (h: string, dep: boolean) => colour(dep ? '32;1' : '34;1')(h), dim: colour('38;5;244') } : {}),
      });
      process.stdout.write(lines.join('\n') + '\n');
    });
}
