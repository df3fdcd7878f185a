// Binary-cache settings for the commands that substitute (build, copy --from): flags over
// settings (environment, wpm.conf), then a CacheSubstituter whose messages go to stderr like
// build progress: plain lines, or JSON lines with --json.
import fs from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { WpmError } from '../util/index.js';
import { parseSecretKey, type LocalStore, type SecretKey } from '../store/index.js';
import type { CacheSubstituter, SubstituteMessage } from '../store/binary-cache/index.js';
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

function render(m: SubstituteMessage, json: boolean): string {
  if (json) return JSON.stringify({ ...m, type: m.type === 'warning' ? 'substitute-warning' : 'substituted', time: Date.now() });
  if (m.type === 'substituted') {
    const by = m.signers.length > 0 ? `, signed by ${m.signers.join(', ')}` : '';
    return `copied ${m.path} from ${m.cache} (${(m.narSize / 1e6).toFixed(1)} MB in ${(m.durationMs / 1000).toFixed(1)}s${by})`;
  }
  const tail = m.path ? '; building it locally if needed' : '; not using it';
  return `warning: ${m.message}${tail}`;
}

/** The substituter the settings and flags ask for, or undefined if there are no substituters. */
export async function createSubstituter(
  store: LocalStore,
  flags: SubstituteFlags,
  out: { json?: boolean; quiet?: boolean } = {},
): Promise<CacheSubstituter | undefined> {
  const settings = commandSettings();
  const urls = flags.substituters && flags.substituters.length > 0 ? flags.substituters : settings.substituters;
  if (urls.length === 0) return undefined;
  // Loaded only when caches are configured: a plain local build should not pay for the client.
  const { CacheSubstituter, makeTrustPolicy, openCache } = await import('../store/binary-cache/index.js');
  const keys = flags.trustedPublicKeys && flags.trustedPublicKeys.length > 0 ? flags.trustedPublicKeys : settings.trustedPublicKeys;
  const trust = makeTrustPolicy(keys, flags.requiredSignatures ?? settings.requiredSignatures);
  const caches = urls.map((u) => openCache(u, { timeoutMs: settings.substituteTimeout * 1000 }));
  return new CacheSubstituter(store, caches, {
    trust,
    // A NAR may take the answer's timeout and a second per megabyte: a cache slower than 1 MB/s
    // is a miss (and so is one that drips a narinfo for longer than the timeout).
    narDeadlineMs: (narSize) => settings.substituteTimeout * 1000 + narSize / 1000,
    onMessage: (m) => {
      if (out.quiet && m.type === 'substituted') return;
      process.stderr.write(render(m, out.json ?? false) + '\n');
    },
  });
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
