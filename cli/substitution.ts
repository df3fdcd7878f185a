// Binary-cache settings for the commands that substitute (build, copy --from): flags over
// settings (environment, wpm.conf), then a CacheSubstituter whose messages go to stderr like
// build progress: plain lines, or JSON lines with --json.
import fs from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { WpmError } from '../util/index.js';
import { parseSecretKey, type LocalStore, type SecretKey } from '../store/index.js';
import type { CacheSubstituter, SubstituteMessage } from '../store/binary-cache/index.js';
import type { Substituter } from '../runtime/scheduler/index.js';
import { commandSettings, splitList } from './config.js';

export interface SubstituteFlags {
  substituters?: string[];
  trustedPublicKeys?: string[];
  requiredSignatures?: number;
}

/** Lists may be given as one space- or comma-separated argument, or by repeating the flag. */
const list = (v: string, prev: string[] | undefined) => [...(prev ?? []), ...splitList(v)];

function count(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expects a whole number ≥ 0');
  return n;
}

/** The trust options; `--substituters` too unless the command names its one cache itself (copy --from). */
export function addSubstituteOptions(cmd: Command, opts: { substituters: boolean } = { substituters: true }): Command {
  if (opts.substituters) {
    cmd.option('--substituters <urls>', 'binary caches to try before building (space/comma separated, repeatable; overrides the setting)', list);
  }
  return cmd
    .option('--trusted-public-keys <keys>', "keys 'name:base64' whose signatures count (space/comma separated, repeatable)", list)
    .option('--required-signatures <k>', 'valid signatures from distinct trusted keys needed to accept a download (default 1)', count);
}

/** What a command does with a path no cache could give it: build it, or (wpm copy --from) nothing. */
export type Fallback = 'build' | 'none';

function render(m: SubstituteMessage, json: boolean, fallback: Fallback): string {
  if (json) return JSON.stringify({ ...m, type: m.type === 'warning' ? 'substitute-warning' : 'substituted', time: Date.now() });
  if (m.type === 'substituted') {
    const by = m.signers.length > 0 ? `, signed by ${m.signers.join(', ')}` : '';
    return `copied ${m.path} from ${m.cache} (${(m.narSize / 1e6).toFixed(1)} MB in ${(m.durationMs / 1000).toFixed(1)}s${by})`;
  }
  const tail = !m.path ? '; not using it' : fallback === 'build' ? '; building it locally if needed' : '; not copying it';
  return `warning: ${m.message}${tail}${m.hint ? `\nhint: ${m.hint}` : ''}`;
}

/**
 * A command's substituter: the cache client, with its messages on stderr. Paths a cache offers
 * but no trusted key signed are common (no keys set yet) and alike: they are told in one line per
 * cache when the command is done (`finish`), with their count and the fix, not one line each.
 */
export class CommandSubstituter implements Substituter {
  private readonly untrusted = new Map<string, { count: number; example: string }>();

  constructor(
    readonly inner: CacheSubstituter,
    private readonly fallback: Fallback,
    private readonly json: boolean,
  ) {}

  substitute(storePath: string, opts?: { signal?: AbortSignal | undefined }): Promise<boolean> {
    return this.inner.substitute(storePath, opts);
  }

  substituteAll(storePaths: string[], opts?: { signal?: AbortSignal | undefined }): Promise<boolean[]> {
    return this.inner.substituteAll(storePaths, opts);
  }

  /** An untrusted path, kept for the summary; true if the message was taken. */
  take(m: SubstituteMessage): boolean {
    if (m.type !== 'warning' || m.code !== 'ERR_SUBSTITUTE_UNTRUSTED' || this.json) return false;
    const seen = this.untrusted.get(m.cache) ?? { count: 0, example: m.message };
    seen.count++;
    this.untrusted.set(m.cache, seen);
    return true;
  }

  /** The summary of untrusted paths, once the command is done with the caches. */
  finish(): void {
    for (const [cache, { count, example }] of this.untrusted) {
      const reason = example.slice(example.indexOf(': ') + 2);
      const what = this.fallback === 'build' ? 'built locally where needed' : 'not copied';
      process.stderr.write(
        `warning: ${count} path${count === 1 ? '' : 's'} from ${cache} refused (${reason}), ${what}; ` +
          `to trust its builder, pass --trusted-public-keys 'NAME:KEY' (or set trusted-public-keys in wpm.conf)\n`,
      );
    }
    this.untrusted.clear();
  }
}

/**
 * The substituter the settings and flags ask for, or undefined if there are no substituters. A
 * cache URL given as a flag that wpm cannot open is a usage error; one from the settings is left
 * out with a warning, since a misconfigured cache must never fail a build.
 */
export async function createSubstituter(
  store: LocalStore,
  flags: SubstituteFlags,
  out: { json?: boolean; quiet?: boolean; fallback?: Fallback } = {},
): Promise<CommandSubstituter | undefined> {
  const settings = commandSettings();
  const fromFlags = flags.substituters !== undefined && flags.substituters.length > 0;
  const given = fromFlags ? flags.substituters! : settings.substituters;
  if (given.length === 0) return undefined;
  // Loaded only when caches are configured: a plain local build should not pay for the client.
  const { CacheSubstituter, checkCacheUrl, makeTrustPolicy, openCache } = await import('../store/binary-cache/index.js');
  if (fromFlags) given.forEach(checkCacheUrl);
  const urls = given.filter((u) => {
    try {
      checkCacheUrl(u);
      return true;
    } catch (err) {
      process.stderr.write(`warning: ${(err as Error).message} (from the substituters setting); not using it\n`);
      return false;
    }
  });
  if (urls.length === 0) return undefined;
  const keys = flags.trustedPublicKeys && flags.trustedPublicKeys.length > 0 ? flags.trustedPublicKeys : settings.trustedPublicKeys;
  const trust = makeTrustPolicy(keys, flags.requiredSignatures ?? settings.requiredSignatures);
  const caches = urls.map((u) => openCache(u, { timeoutMs: settings.substituteTimeout * 1000 }));
  const json = out.json ?? false;
  const fallback = out.fallback ?? 'build';
  let command: CommandSubstituter | undefined = undefined;
  const inner = new CacheSubstituter(store, caches, {
    trust,
    // A NAR may take the answer's timeout and a second per megabyte: a cache slower than 1 MB/s
    // is a miss (and so is one that drips a narinfo for longer than the timeout).
    narDeadlineMs: (narSize) => settings.substituteTimeout * 1000 + narSize / 1000,
    jobs: settings.maxSubstitutionJobs,
    onMessage: (m) => {
      if (out.quiet && m.type === 'substituted') return;
      if (command?.take(m)) return;
      process.stderr.write(render(m, json, fallback) + '\n');
    },
  });
  command = new CommandSubstituter(inner, fallback, json);
  return command;
}

/** A Nix-format secret key file, as `wpm key generate` writes it. */
export function readSecretKeyFile(file: string): SecretKey {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new WpmError('ERR_KEY_FILE', `cannot read the secret key ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`, { cause: err });
  }
  try {
    return parseSecretKey(text);
  } catch (err) {
    throw new WpmError('ERR_BAD_KEY', `${file}: ${(err as Error).message}`, { cause: err });
  }
}
