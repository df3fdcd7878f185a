// wpm hash path|file|convert: the hashes Nix prints (`nix-hash`, `nix hash to-*`), wpm-style.
import fs from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { WpmError } from '../../util/index.js';
import { type Hash, type HashAlgo, formatHash, hashFlatFile, hashPath, isHashAlgo, parseHash } from '../../store/index.js';

export type HashForm = 'nix32' | 'base16' | 'sri';

interface HashFlags {
  type: HashAlgo;
  sri?: boolean;
  base16?: boolean;
}

function formOf(flags: { sri?: boolean; base16?: boolean }): HashForm {
  if (flags.sri && flags.base16) throw new WpmError('ERR_USAGE', '--sri and --base16 exclude each other');
  return flags.sri ? 'sri' : flags.base16 ? 'base16' : 'nix32';
}

/** The flat hash of a file's bytes, streamed. */
export async function hashFile(hostPath: string, algo: HashAlgo = 'sha256'): Promise<Hash> {
  try {
    return await hashFlatFile(hostPath, algo);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new WpmError('ERR_HASH_IO', `cannot hash ${hostPath}: ${code}`, {
      hint: code === 'EISDIR' ? `use 'wpm hash path' for the NAR hash of a directory` : undefined,
      cause: err,
    });
  }
}

function parseAlgo(v: string): HashAlgo {
  if (!isHashAlgo(v)) throw new InvalidArgumentError('expects sha256, sha512, sha1 or md5');
  return v;
}

function withHashOptions(cmd: Command): Command {
  return cmd
    .option('--type <algo>', 'hash algorithm: sha256, sha512, sha1 or md5', parseAlgo, 'sha256')
    .option('--sri', "print SRI form 'sha256-<base64>'")
    .option('--base16', "print 'sha256:<hex>'");
}

export function register(program: Command): void {
  const hash = program.command('hash').description("compute and convert hashes (printed as 'sha256:<nix32>' by default)");
  withHashOptions(
    hash
      .command('path')
      .description('hash the NAR serialisation of files, directories or symlinks, like nix-hash')
      .argument('<path...>', 'what to hash'),
  ).action(async (paths: string[], flags: HashFlags) => {
    const form = formOf(flags);
    for (const p of paths) {
      const { narHash } = await hashPath(p, { algo: flags.type });
      process.stdout.write(formatHash(narHash, form) + '\n');
    }
  });
  withHashOptions(
    hash
      .command('file')
      .description("hash the bytes of regular files, like nix-hash --flat")
      .argument('<path...>', 'files to hash'),
  ).action(async (paths: string[], flags: HashFlags) => {
    const form = formOf(flags);
    for (const p of paths) process.stdout.write(formatHash(await hashFile(p, flags.type), form) + '\n');
  });
  hash
    .command('convert')
    .description("print hashes in another form; accepts 'algo:<nix32|base16|base64>' and SRI")
    .argument('<hash...>', 'hashes to convert')
    .option('--sri', "print SRI form 'sha256-<base64>'")
    .option('--base16', "print 'sha256:<hex>'")
    .action((hashes: string[], flags: { sri?: boolean; base16?: boolean }) => {
      const form = formOf(flags);
      for (const h of hashes) process.stdout.write(formatHash(parseHash(h), form) + '\n');
    });
}
