// wpm store sign --key FILE PATH... : add a signature to paths in the local store, to be served
// and uploaded with them. Registered under the existing `store` command.
import type { Command } from 'commander';
import { WpmError } from '../../util/index.js';
import { addSignatures, signPathInfo } from '../../store/binary-cache/index.js';
import { openStore } from '../context.js';
import { readSecretKeyFile } from '../substitution.js';
import { storePathArg } from '../store-path-arg.js';

export function register(program: Command): void {
  const store = program.commands.find((c) => c.name() === 'store');
  if (!store) throw new WpmError('ERR_INTERNAL', "'wpm store sign' needs the store command registered first");
  store
    .command('sign')
    .description('sign store paths with a secret key (Nix format), so caches serving them carry the signature')
    .requiredOption('-k, --key <file>', "secret key file, as written by 'wpm key generate'")
    .option('-r, --closure', 'sign everything the paths refer to as well')
    .argument('<path...>', 'store paths or result links')
    .action(async (paths: string[], flags: { key: string; closure?: boolean }) => {
      const key = readSecretKeyFile(flags.key);
      const s = openStore();
      let targets = paths.map((p) => storePathArg(s, p));
      for (const t of targets) s.requirePathInfo(t);
      if (flags.closure) targets = s.closure(targets);
      let added = 0;
      for (const t of targets) {
        const info = s.requirePathInfo(t);
        const sig = signPathInfo(info, key);
        const before = info.signatures.length;
        if ((await addSignatures(s, t, [sig])).signatures.length > before) added++;
      }
      process.stderr.write(`signed ${added} path${added === 1 ? '' : 's'} with '${key.name}' (${targets.length - added} already were)\n`);
    });
}
