// What every command needs: the store, the library path, the evaluator's I/O.
import path from 'node:path';
import { DIST_DIR } from '../util/index.js';
import { LocalStore, defaultHome } from '../store/index.js';
import type { EvaluateOptions } from '../glue/index.js';
import { commandSettings } from './config.js';
import type { EvalLimitFlags, StepLimitFlags } from './options.js';
import type { StepLimits } from '../runtime/builders/index.js';

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

/** A build's step limits: flags, else the settings; 0 means none. */
export function stepLimitsFrom(flags: StepLimitFlags): StepLimits {
  const settings = commandSettings();
  const seconds = (v: number) => (v > 0 ? v * 1000 : undefined);
  const bytes = (v: number) => (v > 0 ? v : undefined);
  return {
    timeoutMs: seconds(flags.timeout ?? settings.timeout),
    silentMs: seconds(flags.maxSilentTime ?? settings.maxSilentTime),
    logBytes: bytes(flags.maxLogSize ?? settings.maxLogSize),
    outputBytes: bytes(flags.maxOutputSize ?? settings.maxOutputSize),
    fetchTimeoutMs: settings.fetchTimeout * 1000,
  };
}
