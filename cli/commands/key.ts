// wpm key generate NAME | wpm key public FILE: ed25519 signing keys in Nix's format, so keys made
// by `nix-store --generate-binary-cache-key` work here and wpm's work with Nix.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { WpmError } from '../../util/index.js';
import { formatPublicKey, formatSecretKey, generateKeyPair, publicKeyOf } from '../../store/index.js';
import { readSecretKeyFile } from '../substitution.js';

export function register(program: Command): void {
  const key = program.command('key').description('make and inspect signing keys for binary caches');
  key
    .command('generate')
    .description('write a new key pair NAME.sec (secret, mode 600) and NAME.pub; print the public key')
    .argument('<name>', "the key's name, written into every signature (e.g. cache.example.org-1)")
    .option('-d, --dir <dir>', 'where to write the two files', '.')
    .action((name: string, flags: { dir: string }) => {
      // The name goes into every signature as `name:base64` and trusted keys are listed separated
      // by spaces or commas, so none of those (nor ':' or a path separator) can be part of it.
      if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(name)) {
        throw new WpmError('ERR_USAGE', `invalid key name '${name}': use letters, digits and '.', '_', '+', '-', starting with a letter or digit`, {
          hint: 'the files go where --dir says, e.g. wpm key generate cache.example.org-1 --dir keys/',
        });
      }
      const pair = generateKeyPair(name);
      const base = path.join(flags.dir, name);
      const sec = `${base}.sec`;
      const pub = `${base}.pub`;
      for (const f of [sec, pub]) {
        if (fs.existsSync(f)) throw new WpmError('ERR_KEY_EXISTS', `${f} already exists; not overwriting a key`);
      }
      fs.mkdirSync(flags.dir, { recursive: true });
      // Nix writes both without a trailing newline; it reads either way.
      fs.writeFileSync(sec, formatSecretKey(pair.secret), { mode: 0o600, flag: 'wx' });
      fs.writeFileSync(pub, formatPublicKey(pair.public), { mode: 0o644, flag: 'wx' });
      process.stdout.write(formatPublicKey(pair.public) + '\n');
      process.stderr.write(`wrote ${sec} (secret) and ${pub}\n`);
    });
  key
    .command('public')
    .description('print the public key of a secret key file (like nix key convert-secret-to-public)')
    .argument('<file>', 'secret key file')
    .action((file: string) => {
      process.stdout.write(formatPublicKey(publicKeyOf(readSecretKeyFile(file))) + '\n');
    });
}
