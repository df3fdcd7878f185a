// A launcher per installed program: bin/NAME beside bin/NAME.wasm, a shell script that hands
// itself to `wpm run --launcher`, and share/wpm/launchers/NAME.json saying what to run and what
// the program sees. The script names no host path and no store path: it finds its configuration
// through its own path, so a generation means the same on any machine, and `wpm` is found on PATH.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError } from '../../../util/index.js';
import { LAUNCHERS_DIR, type LauncherConfig, type ManifestEntry } from './manifest.js';
import type { MergeEntry } from './merge.js';

export const LAUNCHER_SCRIPT = `#!/bin/sh
# A wpm launcher: runs bin/$(basename "$0").wasm of this profile generation as \`wpm run\` does,
# as share/wpm/launchers/<name>.json beside it says.
exec wpm run --launcher "$0" -- "$@"
`;

/** The launchers a merged tree gets: one per bin/NAME.wasm that is a file. */
export function planLaunchers(plan: Map<string, MergeEntry>, entries: Map<string, ManifestEntry>, hostOf: (storePath: string) => string): LauncherConfig[] {
  const out: LauncherConfig[] = [];
  for (const [rel, entry] of plan) {
    const m = /^bin\/([^/]+)\.wasm$/.exec(rel);
    if (!m || entry.kind !== 'link') continue;
    const program = `${entry.pkg.storePath}/${rel}`;
    if (!fs.statSync(hostOf(program), { throwIfNoEntry: false })?.isFile()) continue;
    const name = m[1]!;
    const clash = plan.get(`bin/${name}`);
    if (clash) {
      const by = clash.kind === 'link' ? `'${clash.pkg.name}'` : 'several packages';
      throw new WpmError('ERR_PROFILE_COLLISION', `bin/${name} of ${by} collides with the launcher of bin/${name}.wasm of '${entry.pkg.name}'`, {
        hint: 'a profile makes bin/NAME for every bin/NAME.wasm; remove one of the packages',
      });
    }
    const pkg = entries.get(entry.pkg.name)!;
    out.push({ version: 1, name, package: pkg.name, program, cwd: pkg.cwd, dirs: pkg.dirs });
  }
  return out;
}

/** Write bin/NAME and its configuration for each launcher (bin/ and share/ exist already). */
export function writeLaunchers(out: string, launchers: LauncherConfig[]): void {
  if (launchers.length === 0) return;
  const configDir = path.join(out, LAUNCHERS_DIR);
  fs.mkdirSync(configDir, { recursive: true });
  for (const l of launchers) {
    fs.writeFileSync(path.join(out, 'bin', l.name), LAUNCHER_SCRIPT, { mode: 0o755 });
    fs.writeFileSync(path.join(configDir, `${l.name}.json`), JSON.stringify(l, null, 2) + '\n');
  }
}
