// wpm nar dump PATH > x.nar, wpm nar restore DIR < x.nar: NAR archives on stdout and stdin,
// byte-compatible with `nix-store --dump` / `--restore`.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { WpmError } from '../../util/index.js';
import { dumpPath, restoreNar } from '../../store/index.js';

/** Writes the NAR of `hostPath` to `out`, waiting whenever the stream's buffer is full. */
export async function narDump(hostPath: string, out: Writable): Promise<void> {
  // A closed pipe (`wpm nar dump x | head`) surfaces as an 'error' event; turn it into a rejection.
  let failure: Error | undefined;
  const onError = (err: Error) => {
    failure ??= err;
  };
  out.on('error', onError);
  try {
    await dumpPath(hostPath, async (chunk) => {
      if (failure) throw failure;
      if (!out.write(chunk)) {
        await Promise.race([once(out, 'drain'), once(out, 'close')]);
        if (failure) throw failure;
      }
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') {
      throw new WpmError('ERR_OUTPUT_CLOSED', 'the reader of the NAR went away before the end', { cause: err });
    }
    throw err;
  } finally {
    out.off('error', onError);
  }
}

export function register(program: Command): void {
  const nar = program.command('nar').description('write and read NAR archives (the format of nix-store --dump)');
  nar
    .command('dump')
    .description('write the NAR of a file, directory or symlink to stdout (symlinks are not followed)')
    .argument('<path>', 'what to archive')
    .action(async (p: string) => {
      if (process.stdout.isTTY) {
        throw new WpmError('ERR_USAGE', 'refusing to write a binary NAR to a terminal', {
          hint: `redirect it: wpm nar dump ${p} > out.nar`,
        });
      }
      await narDump(p, process.stdout);
    });
  nar
    .command('restore')
    .description('unpack a NAR from stdin into a new path; nothing is created unless the whole NAR is valid')
    .argument('<path>', 'where to create the tree (must not exist)')
    .action(async (p: string) => {
      await restoreNar(process.stdin, p);
    });
}
