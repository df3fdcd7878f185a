// wpm copy --to URL PATH... uploads closures to a binary cache (a directory, or `wpm serve
// --allow-upload`); wpm copy --from URL PATH... substitutes paths from one, under the trust
// policy, and fails if any cannot be had.
import type { Command } from 'commander';
import { interruptible } from '../interrupt.js';
import { WpmError } from '../../util/index.js';
import { closeCache, copyToCache, openCache, type Compression } from '../../store/binary-cache/index.js';
import { openStore } from '../context.js';
import { commandSettings } from '../config.js';
import { addSubstituteOptions, createSubstituter, readSecretKeyFile, type SubstituteFlags } from '../substitution.js';
import { storePathArg } from '../store-path-arg.js';
import { compressionArg } from './serve.js';

interface CopyFlags extends SubstituteFlags {
  to?: string;
  from?: string;
  compression: Compression;
  signKey?: string[];
  token?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('copy')
    .description('copy store paths with their closures to a binary cache (--to) or from one (--from)')
    .argument('<path...>', 'store paths (or result links, with --to)')
    .option('--to <url>', 'destination cache: file:///DIR, or http://HOST:PORT of wpm serve --allow-upload')
    .option('--from <url>', 'source cache, checked against the trusted keys like a substituter')
    .option('--compression <name>', 'compression of uploaded NARs: none, gzip, br, xz, zstd where available', compressionArg, 'none' as Compression)
    .option('--sign-key <file>', 'also sign uploaded narinfos with this secret key (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--token <token>', 'upload token for HTTP caches (default: $WPM_CACHE_TOKEN)')
    .option('--json', 'print warnings and progress as JSON lines');
  addSubstituteOptions(cmd, { substituters: false });
  cmd.action(async (paths: string[], flags: CopyFlags) => {
    if ((flags.to === undefined) === (flags.from === undefined)) throw new WpmError('ERR_USAGE', 'give exactly one of --to URL and --from URL');
    const store = openStore();
    const timeoutMs = commandSettings().substituteTimeout * 1000;
    if (flags.to !== undefined) {
      const token = flags.token ?? process.env.WPM_CACHE_TOKEN;
      const cache = openCache(flags.to, { timeoutMs, ...(token ? { token } : {}) });
      try {
        const targets = paths.map((p) => storePathArg(store, p));
        for (const t of targets) store.requirePathInfo(t);
        const { copied, signed, present } = await copyToCache(store, targets, cache, {
          compression: flags.compression,
          signKeys: (flags.signKey ?? []).map(readSecretKeyFile),
          onCopied: (p, size) => process.stderr.write(`copied ${p} to ${cache.url} (${(size / 1e6).toFixed(1)} MB)\n`),
        });
        const sigs = signed.length > 0 ? `, ${signed.length} given new signatures` : '';
        process.stderr.write(`${copied.length} copied${sigs}, ${present.length} already in ${cache.url}\n`);
      } finally {
        closeCache(cache);
      }
      return;
    }
    const substituter = (await createSubstituter(store, { ...flags, substituters: [flags.from!] }, { json: flags.json ?? false, fallback: 'none' }))!;
    const storePaths = paths.map((p) => storePathArg(store, p));
    if (!flags.json) process.stderr.write(`copying ${storePaths.length} path${storePaths.length === 1 ? '' : 's'} and ${storePaths.length === 1 ? 'its' : 'their'} references from ${flags.from} into the store at ${store.home}\n`);
    const got = await interruptible((signal) => substituter.substituteAll(storePaths, { signal })).finally(() => substituter.finish());
    const failed = storePaths.filter((_, i) => !got[i]);
    for (const p of storePaths.filter((_, i) => got[i])) process.stdout.write(p + '\n');
    if (failed.length > 0) {
      throw new WpmError('ERR_SUBSTITUTE_FAILED', `could not copy ${failed.join(', ')} from ${flags.from}`, { hint: 'the warnings above say why' });
    }
  });
}
