// What every command needs: the store, the library path, the evaluator's I/O.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalStore, defaultHome } from '../store/index.js';
import { loadSettings } from './config.js';

/** The installed wpm's root (packages/ lives there). */
export const WPM_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LIB_DIR = path.join(WPM_ROOT, 'packages', 'lib');

export function openStore(): LocalStore {
  return LocalStore.open(defaultHome());
}

export function defaultJobs(): number {
  return loadSettings().maxJobs;
}
