// `wpm run --launcher PATH`: what a profile's launcher script runs. PATH (the script's $0) leads,
// through the profile's links, to bin/NAME in a generation's store path; beside it,
// share/wpm/launchers/NAME.json says which program to run and what it sees. The store is the one
// the generation is in, whatever $WPM_HOME says: a launcher works from any shell.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError } from '../util/index.js';
import { LocalStore, STORE_DIR, defaultHome } from '../store/index.js';
import { LAUNCHERS_DIR, parseLauncherConfig } from '../runtime/builders/buildenv/manifest.js'; // not the index: see run-program.ts
import type { Mount } from '../runtime/wasi/index.js';
import type { ProgramRun } from './run-program.js';

const STORE_NAME = /^[0-9a-df-np-sv-z]{32}-[A-Za-z0-9+._?=-]+$/;

/** The store and the program a launcher stands for. */
export function resolveLauncher(launcher: string, args: string[]): { store: LocalStore; run: ProgramRun } {
  let real: string;
  try {
    real = fs.realpathSync(launcher);
  } catch (cause) {
    throw new WpmError('ERR_LAUNCHER', `${launcher}: no such launcher`, { cause });
  }
  // …/<home>/store/<hash>-profile/bin/NAME
  const parts = real.split(path.sep);
  const at = parts.length - 4;
  if (at < 1 || parts[at] !== 'store' || !STORE_NAME.test(parts[at + 1]!) || parts[at + 2] !== 'bin') {
    throw new WpmError('ERR_LAUNCHER', `${launcher} is not a launcher of a wpm profile (it is ${real})`, { hint: 'launchers are bin/NAME in a profile: wpm profile path' });
  }
  const home = parts.slice(0, at).join(path.sep) || path.sep;
  const generation = `${STORE_DIR}/${parts[at + 1]}`;
  const name = parts[at + 3]!;
  const store = LocalStore.open(home === defaultHome() ? defaultHome() : home);
  const configFile = path.join(store.toHost(generation), LAUNCHERS_DIR, `${name}.json`);
  let text: string;
  try {
    text = fs.readFileSync(configFile, 'utf8');
  } catch (cause) {
    throw new WpmError('ERR_LAUNCHER', `${launcher} is not a launcher: ${generation} has no ${LAUNCHERS_DIR}/${name}.json`, { cause });
  }
  const config = parseLauncherConfig(JSON.parse(text), `${generation}/${LAUNCHERS_DIR}/${name}.json`);
  const dirs: Mount[] = config.dirs.map((d) => ({ guest: d.guest, host: d.host, writable: d.writable }));
  let cwd = dirs[0]?.guest ?? '/';
  if (config.cwd !== 'none') {
    const here = process.cwd();
    dirs.unshift({ guest: here, host: here, writable: config.cwd === 'rw' });
    cwd = here;
  }
  return { store, run: { guest: config.program, name: config.name, args, dirs, cwd } };
}
