// What every command needs: the store, the library path, the evaluator's I/O.
import path from 'node:path';
import { DIST_DIR } from '../util/index.js';
import { LocalStore, defaultHome } from '../store/index.js';
import type { EvaluateOptions } from '../glue/index.js';

/** The installed wpm's root (packages/ lives there). */
export const WPM_ROOT = path.dirname(DIST_DIR);
export const LIB_DIR = path.join(WPM_ROOT, 'packages', 'lib');

export function openStore(): LocalStore {
  return LocalStore.open(defaultHome());
}

/** How commands evaluate: wpm's own libraries, and the evaluation cache unless WPM_EVAL_CACHE=0. */
export function evaluationOptions(extra: Omit<EvaluateOptions, 'libDirs' | 'cache'> = {}): EvaluateOptions {
  return { libDirs: [LIB_DIR], cache: process.env.WPM_EVAL_CACHE !== '0', ...extra };
}
