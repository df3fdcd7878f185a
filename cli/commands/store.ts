// wpm store … : add paths and inspect path info.
import type { Command } from 'commander';
import { WpmError } from '../../util/index.js';
import { STORE_DIR, type LocalStore } from '../../store/index.js';
import fs from 'node:fs';
import { openStore } from '../context.js';

function toStorePath(store: LocalStore, p: string): string {
  if (p.startsWith(STORE_DIR + '/')) return `${STORE_DIR}/${p.slice(STORE_DIR.length + 1).split('/')[0]}`;
  const inStore = fs.existsSync(p) ? store.fromHost(fs.realpathSync(p)) : undefined;
  if (!inStore) throw new WpmError('ERR_USAGE', `${p} is not a store path`);
  return inStore;
}

export function register(program: Command): void {
  const store = program.command('store').description('manage the local store');
  store
    .command('add')
    .description('add a file or directory to the store (like nix-store --add) and print its path')
    .argument('<path...>', 'files or directories')
    .action(async (paths: string[]) => {
      const s = openStore();
      for (const p of paths) process.stdout.write((await s.addPath(p)) + '\n');
    });
  store
    .command('path-info')
    .description('print what the store knows about paths')
    .argument('<path...>', 'store paths or result links')
    .option('--closure', 'include everything the paths refer to, recursively')
    .option('--json', 'print JSON')
    .action((paths: string[], flags: { closure?: boolean; json?: boolean }) => {
      const s = openStore();
      let targets = paths.map((p) => toStorePath(s, p));
      for (const t of targets) s.requirePathInfo(t);
      if (flags.closure) targets = s.closure(targets);
      const infos = targets.map((t) => s.requirePathInfo(t));
      if (flags.json) {
        process.stdout.write(JSON.stringify(infos, null, 2) + '\n');
        return;
      }
      for (const i of infos) {
        process.stdout.write(`${i.path}\t${i.narHash}\t${i.narSize}\n`);
      }
    });
}
