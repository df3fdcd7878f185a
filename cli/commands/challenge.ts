// wpm challenge PATH... --caches URL,URL: do independent builders agree? Compares the NAR hash of
// each path in the local store (a local build) with what each cache's narinfo says, as Guix's
// `guix challenge` does. A path is `agree` only when two sources or more have it, all with one
// hash; `unknown` when fewer have it (nothing to compare). Exit 1 if some path has two different
// hashes, else 4 if some path is unknown, else 0.
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
        let unknowns = 0;
        for (const p of paths) {
          const storePath = storePathArg(store, p);
          const local = store.queryPathInfo(storePath);
          const answers: Answer[] = [local ? { source: 'local', narHash: local.narHash, narSize: local.narSize } : { source: 'local' }];
          answers.push(...(await Promise.all(caches.map((c, i) => ask(c, usable[i]!, storePath)))));
          const hashes = new Set(answers.flatMap((a) => (a.narHash ? [a.narHash] : [])));
          const holders = answers.filter((a) => a.narHash).length;
          // One source alone agrees with nobody: that is no answer to "do builders agree?".
          const verdict = hashes.size > 1 ? 'disagree' : holders >= 2 ? 'agree' : 'unknown';
          if (verdict === 'disagree') disagreements++;
          if (verdict === 'unknown') unknowns++;
          if (flags.json) {
            process.stdout.write(JSON.stringify({ path: storePath, verdict, answers }) + '\n');
            continue;
          }
          const detail =
            verdict === 'agree' ? ` (${holders} of ${answers.length} have it)` : verdict === 'unknown' ? ` (${holders === 0 ? 'no source has it' : 'only one source has it'}: nothing to compare)` : '';
          process.stdout.write(`${storePath}: ${verdict === 'disagree' ? 'DISAGREE' : verdict}${detail}\n`);
          const width = Math.max(...answers.map((a) => a.source.length));
          for (const a of answers) {
            const what = a.narHash ?? (a.error ? `error: ${a.error}` : 'does not have it');
            process.stdout.write(`  ${a.source.padEnd(width)}  ${what}\n`);
          }
        }
        process.exitCode = disagreements > 0 ? EXIT.BUILD_FAILED : unknowns > 0 ? EXIT.ERROR : EXIT.OK;
        if (unknowns > 0 && disagreements === 0) {
          process.stderr.write(`${unknowns} path${unknowns === 1 ? '' : 's'} could not be compared: fewer than two sources had ${unknowns === 1 ? 'it' : 'them'}\n`);
        }
      } finally {
        caches.forEach(closeCache);
      }
    });
}
