// What every command needs: the store, the library path, the evaluator's I/O.
import path from 'node:path';
import { DIST_DIR } from '../util/index.js';
import { LocalStore, defaultHome } from '../store/index.js';
import { commandSettings } from './config.js';

/** The installed wpm's root (packages/ lives there). */
export const WPM_ROOT = path.dirname(DIST_DIR);
export const LIB_DIR = path.join(WPM_ROOT, 'packages', 'lib');

export function openStore(): LocalStore {
  return LocalStore.open(defaultHome());
}

export function defaultJobs(): number {
  return commandSettings().maxJobs;
}
