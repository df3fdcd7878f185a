// What every command needs: the store, the library path, the evaluator's I/O.
import path from 'node:path';
import { DIST_DIR } from '../util/index.js';
import { LocalStore, defaultHome } from '../store/index.js';
import type { EvaluateOptions } from '../glue/index.js';
import { commandSettings } from './config.js';
import type { EvalLimitFlags } from './options.js';

/** The installed wpm's root (packages/ lives there). */
export const WPM_ROOT = path.dirname(DIST_DIR);
export const LIB_DIR = path.join(WPM_ROOT, 'packages', 'lib');

export function openStore(): LocalStore {
  return LocalStore.open(defaultHome());
}

/**
 * How commands evaluate: wpm's own libraries, the evaluation cache unless WPM_EVAL_CACHE=0, and
 * the limits from the flags, else the settings.
 */
export function evaluationOptions(flags: EvalLimitFlags, extra: Omit<EvaluateOptions, 'libDirs' | 'cache' | 'limits'> = {}): EvaluateOptions {
  const settings = commandSettings();
  return {
    libDirs: [LIB_DIR],
    cache: process.env.WPM_EVAL_CACHE !== '0',
    limits: {
      timeoutMs: (flags.evalTimeout ?? settings.evalTimeout) * 1000,
      memoryBytes: flags.maxEvalMemory ?? settings.maxEvalMemory,
      maxStack: flags.maxStack ?? settings.maxStack,
    },
    ...extra,
  };
}
