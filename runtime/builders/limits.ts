// A step's limits: the settings (flags, wpm.conf), overridden by the derivation's own `limits`,
// handed to the WASI host; and a limit the host enforced, told in the user's terms: which setting,
// and the three ways to raise it.
// Files, not the folders' indexes, which reach Node's modules: the browser tab uses this too.
import type { DrvLimits } from '../../derivations/derivation.js';
import { WpmError, isWpmError } from '../../util/errors.js';
import type { ErrorCode } from '../../util/error-codes.js';
import { formatSize } from '../../util/size.js';
import type { WasiLimits } from '../wasi/types.js';

/** Limits every step runs under. */
export interface StepLimits {
  /** Wall-clock limit of a step (setting `timeout`). */
  timeoutMs?: number | undefined;
  /** Time a step may go without writing to its log (`max-silent-time`). */
  silentMs?: number | undefined;
  /** Bytes a step's log may hold (`max-log-size`). */
  logBytes?: number | undefined;
  /** Bytes a step may write into its outputs and scratch directories (`max-output-size`). */
  outputBytes?: number | undefined;
  /** builtin:fetch gives up after this long without data. */
  fetchTimeoutMs?: number | undefined;
}

/** The defaults of the settings `max-log-size` and `max-output-size` (cli/config.ts); the tab's too. */
export const DEFAULT_LOG_BYTES = 64 * 1024 ** 2;
export const DEFAULT_OUTPUT_BYTES = 4 * 1024 ** 3;

/** The settings' limits with a derivation's own on top. */
export function stepLimits(settings: StepLimits, own: DrvLimits | undefined): StepLimits {
  if (!own) return settings;
  return {
    ...settings,
    ...(own.timeout !== undefined ? { timeoutMs: own.timeout * 1000 } : {}),
    ...(own.maxSilentTime !== undefined ? { silentMs: own.maxSilentTime * 1000 } : {}),
    ...(own.maxLogSize !== undefined ? { logBytes: own.maxLogSize } : {}),
    ...(own.maxOutputSize !== undefined ? { outputBytes: own.maxOutputSize } : {}),
  };
}

export function wasiLimits(l: StepLimits): WasiLimits {
  return {
    ...(l.timeoutMs ? { timeoutMs: l.timeoutMs } : {}),
    ...(l.silentMs ? { silentMs: l.silentMs } : {}),
    ...(l.logBytes ? { logBytes: l.logBytes } : {}),
    ...(l.outputBytes ? { outputBytes: l.outputBytes } : {}),
  };
}

const SETTINGS: Partial<Record<ErrorCode, { what: (l: StepLimits) => string; setting: string; flag: string; field: string }>> = {
  ERR_WASI_TIMEOUT: { what: (l) => `ran longer than ${l.timeoutMs! / 1000} s, the step time limit`, setting: 'timeout', flag: '--timeout SECONDS', field: 'timeout' },
  ERR_WASI_SILENT: {
    what: (l) => `wrote nothing to its log for ${l.silentMs! / 1000} s, the silence limit`,
    setting: 'max-silent-time',
    flag: '--max-silent-time SECONDS',
    field: 'maxSilentTime',
  },
  ERR_WASI_LOG_LIMIT: { what: (l) => `wrote more than ${formatSize(l.logBytes!)} to its log, the log limit (the log says where it was cut)`, setting: 'max-log-size', flag: '--max-log-size SIZE', field: 'maxLogSize' },
  ERR_WASI_OUTPUT_LIMIT: { what: (l) => `wrote more than ${formatSize(l.outputBytes!)}, the output limit`, setting: 'max-output-size', flag: '--max-output-size SIZE', field: 'maxOutputSize' },
  ERR_BUILD_OUTPUT_LIMIT: { what: (l) => `made more than ${formatSize(l.outputBytes!)} of output, the output limit`, setting: 'max-output-size', flag: '--max-output-size SIZE', field: 'maxOutputSize' },
};

/** A limit the step ran into, as an error naming the step, the setting and how to raise it; other errors as they are. */
export function explainLimit(err: unknown, where: string, limits: StepLimits): unknown {
  const s = isWpmError(err) ? SETTINGS[err.code] : undefined;
  if (!s || !isWpmError(err)) return err;
  return new WpmError(err.code, `${where} was stopped: it ${s.what(limits)} (${s.setting})`, {
    cause: err,
    hint: `raise it with ${s.flag}, ${s.setting} in wpm.conf, or limits: { ${s.field}: … } in the derivation`,
  });
}
