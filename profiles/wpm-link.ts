// Launchers run `wpm` from PATH. `wpm env` and `wpm install` keep $WPM_HOME/bin/wpm, a link to this
// installation's own bin/wpm.js, so that one PATH entry serves however wpm was installed (npm
// link, a checkout, npx).
import fs from 'node:fs';
import path from 'node:path';
import { replaceSymlink, type LocalStore } from '../store/index.js';
import type { Profile } from './profile.js';

/** Make $WPM_HOME/bin/wpm lead to `wpmScript` (replaced at once if it led elsewhere); returns its directory. */
export function ensureWpmLink(store: LocalStore, wpmScript: string): string {
  const dir = store.layout.bin;
  const link = path.join(dir, 'wpm');
  let current: string | undefined;
  try {
    current = fs.readlinkSync(link);
  } catch {
    current = undefined;
  }
  if (current !== wpmScript) {
    fs.mkdirSync(dir, { recursive: true });
    replaceSymlink(link, wpmScript, { durable: false });
  }
  return dir;
}

/** A shell word that stays one word whatever it holds. */
function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** What `eval "$(wpm env)"` runs: the profile's bin and the wpm link first on PATH (and WPM_HOME, if set). */
export function envScript(profile: Profile, wpmBinDir: string, env: NodeJS.ProcessEnv): string {
  const lines: string[] = [];
  if (env.WPM_HOME) lines.push(`export WPM_HOME=${quote(profile.store.home)}`);
  lines.push(`export PATH=${quote(profile.binDir)}:${quote(wpmBinDir)}:"$PATH"`);
  return lines.join('\n') + '\n';
}
