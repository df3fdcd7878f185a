// wpm challenge PATH... --caches URL,URL: do independent builders agree? Compares the NAR hash of
// each path in the local store (a local build) with what each cache's narinfo says, as Guix's
// `guix challenge` does. Exit 0 if nobody disagrees, 1 if some path has two different hashes.
import type { Command } from 'commander';
import { closeCache, openCache, readCacheInfo, type BinaryCache } from '../../store/binary-cache/index.js';
import { parseNarInfo, parseStorePath } from '../../store/index.js';
import { isWpmError } from '../../util/index.js';
import { openStore } from '../context.js';
import { commandSettings, splitList } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { storePathArg } from '../store-path-arg.js';

type Answer = { source: string; narHash?: string; narSize?: number; signedBy?: string[]; error?: string };

async function ask(cache: BinaryCache, usable: boolean | string, storePath: string): Promise<Answer> {
  if (usable !== true) return { source: cache.url, error: String(usable) };
  const hashPart = parseStorePath(storePath).hashPart;
  try {
    const text = await cache.getText(`${hashPart}.narinfo`);
    if (text === undefined) return { source: cache.url };
    const ni = parseNarInfo(text, `${cache.url}/${hashPart}.narinfo`);
    return { source: cache.url, narHash: ni.narHash, narSize: ni.narSize, signedBy: ni.sigs.map((s) => s.split(':')[0]) };
  } catch (err) {
    return { source: cache.url, error: isWpmError(err) ? err.message : String(err) };
  }
}

export function register(program: Command): void {
  program
    .command('challenge')
    .description('compare the NAR hashes of paths across binary caches and the local store; report agreement per path')
    .argument('<path...>', 'store paths or result links')
    .option('--caches <urls>', 'caches to ask, comma or space separated (default: the substituters setting)')
    .option('--json', 'print one JSON object per path')
    .action(async (paths: string[], flags: { caches?: string; json?: boolean }) => {
      const store = openStore();
      const settings = commandSettings();
      const urls = flags.caches ? splitList(flags.caches) : settings.substituters;
      const caches = urls.map((u) => openCache(u, { timeoutMs: settings.substituteTimeout * 1000 }));
      try {
        const usable = await Promise.all(caches.map((c) => readCacheInfo(c).then(() => true as const, (err: Error) => err.message)));
        let disagreements = 0;
        for (const p of paths) {
          const storePath = storePathArg(store, p);
          const local = store.queryPathInfo(storePath);
          const answers: Answer[] = [local ? { source: 'local', narHash: local.narHash, narSize: local.narSize } : { source: 'local' }];
          answers.push(...(await Promise.all(caches.map((c, i) => ask(c, usable[i]!, storePath)))));
          const hashes = new Set(answers.flatMap((a) => (a.narHash ? [a.narHash] : [])));
          const verdict = hashes.size > 1 ? 'disagree' : hashes.size === 1 ? 'agree' : 'unknown';
          if (verdict === 'disagree') disagreements++;
          if (flags.json) {
            process.stdout.write(JSON.stringify({ path: storePath, verdict, answers }) + '\n');
            continue;
          }
          const holders = answers.filter((a) => a.narHash).length;
          process.stdout.write(`${storePath}: ${verdict === 'disagree' ? 'DISAGREE' : verdict}${verdict === 'agree' ? ` (${holders} of ${answers.length} have it)` : ''}\n`);
          const width = Math.max(...answers.map((a) => a.source.length));
          for (const a of answers) {
            const what = a.narHash ?? (a.error ? `error: ${a.error}` : 'does not have it');
            process.stdout.write(`  ${a.source.padEnd(width)}  ${what}\n`);
          }
        }
        process.exitCode = disagreements > 0 ? EXIT.BUILD_FAILED : EXIT.OK;
      } finally {
        caches.forEach(closeCache);
      }
    });
}
