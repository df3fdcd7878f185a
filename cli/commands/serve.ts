// wpm serve: the local store as a binary cache over HTTP, until interrupted. Prints the URL it
// listens on (stdout), so scripts can start it with --port 0 and read the port chosen.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import fs from 'node:fs';
import { WpmError, distFile } from '../../util/index.js';
import { createCacheServer, isCompressionSupported, supportedCompressions, type Compression } from '../../store/binary-cache/index.js';
import { openStore } from '../context.js';
import { readSecretKeyFile } from '../substitution.js';

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expects a port number 0–65535');
  return n;
};

export function compressionArg(v: string): Compression {
  if (!isCompressionSupported(v)) throw new InvalidArgumentError(`supported here: ${supportedCompressions().join(', ')}`);
  return v;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the local store as a binary cache (the Nix layout) over HTTP')
    .option('-p, --port <port>', 'TCP port; 0 picks a free one', port, 5000)
    .option('--bind <address>', 'address to listen on', '127.0.0.1')
    .option('--sign-key <file>', 'sign every narinfo with this secret key (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--allow-upload <token>', 'accept uploads (wpm copy --to, nix copy --to) carrying this token')
    .option('--compression <name>', 'compression of served NARs: none, gzip, br, xz, zstd where available', compressionArg, 'none' as Compression)
    .option('--priority <n>', 'Priority announced in nix-cache-info (lower is tried first)', port, 40)
    .option('--ui', 'also serve the web app (wpm in a browser tab) at /ui/')
    .action(async (flags: { port: number; bind: string; signKey?: string[]; allowUpload?: string; compression: Compression; priority: number; ui?: boolean }) => {
      const uiDir = distFile('web');
      if (flags.ui && !fs.existsSync(`${uiDir}/index.html`)) {
        throw new WpmError('ERR_WEB_NOT_BUILT', `the web app is not built (${uiDir}/index.html is missing)`, { hint: 'run npm run build' });
      }
      const store = openStore();
      const server = createCacheServer(store, {
        signKeys: (flags.signKey ?? []).map(readSecretKeyFile),
        ...(flags.allowUpload !== undefined ? { uploadToken: flags.allowUpload } : {}),
        compression: flags.compression,
        priority: flags.priority,
        ...(flags.ui ? { uiDir } : {}),
        log: (line) => process.stderr.write(line + '\n'),
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) =>
          reject(new WpmError('ERR_SERVE_LISTEN', `cannot listen on ${flags.bind}:${flags.port}: ${err.code ?? err.message}`, { cause: err })),
        );
        server.listen(flags.port, flags.bind, resolve);
      });
      const addr = server.address();
      const actual = typeof addr === 'object' && addr ? addr.port : flags.port;
      const host = flags.bind.includes(':') ? `[${flags.bind}]` : flags.bind;
      process.stdout.write(`http://${host}:${actual}\n`);
      process.stderr.write(`serving ${store.home} on http://${host}:${actual}${flags.allowUpload !== undefined ? ' (uploads allowed)' : ''}\n`);
      if (flags.ui) process.stderr.write(`web app on http://${host}:${actual}/ui/\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          server.close(() => resolve());
          server.closeAllConnections();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
