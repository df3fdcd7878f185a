// Limits of an evaluation: wall time and the process's memory. libjsonnet evaluates on threads
// of its own, which JavaScript cannot stop, so an evaluation past a limit is abandoned: the
// promise rejects with ERR_EVAL_LIMIT, and the command that gets it ends the process (cli/main.ts).
// Its stack limit (max-stack) is libjsonnet's own and reported by it.
import { WpmError, formatSize } from '../util/index.js';

export interface EvalLimits {
  /** Wall time for the whole evaluation, in milliseconds. */
  timeoutMs?: number | undefined;
  /** Resident memory of the whole process, in bytes. */
  memoryBytes?: number | undefined;
  /** libjsonnet's stack limit, in frames. */
  maxStack?: number | undefined;
}

/** How often the watchdog looks: a runaway array grows about 200 MB a second. */
const CHECK_EVERY_MS = 100;

/** Run an evaluation under its time and memory limits; `what` names it ("packages/default.jsonnet"). */
export function withinEvalLimits<T>(what: string, limits: EvalLimits, run: () => Promise<T>): Promise<T> {
  if (limits.timeoutMs === undefined && limits.memoryBytes === undefined) return run();
  const started = Date.now();
  return new Promise<T>((resolve, reject) => {
    const watchdog = setInterval(() => {
      if (limits.timeoutMs !== undefined && Date.now() - started > limits.timeoutMs) {
        stop(
          new WpmError('ERR_EVAL_LIMIT', `evaluating ${what} took longer than ${limits.timeoutMs / 1000} s, the evaluation time limit (eval-timeout)`, {
            hint: 'an endless loop? If not, raise the limit with --eval-timeout SECONDS or eval-timeout in wpm.conf',
          }),
        );
        return;
      }
      const rss = process.memoryUsage.rss();
      if (limits.memoryBytes !== undefined && rss > limits.memoryBytes) {
        stop(
          new WpmError('ERR_EVAL_LIMIT', `evaluating ${what} used ${formatSize(rss)} of memory, more than the evaluation memory limit of ${formatSize(limits.memoryBytes)} (max-eval-memory)`, {
            hint: 'a runaway value (a huge array or string)? If not, raise the limit with --max-eval-memory SIZE or max-eval-memory in wpm.conf',
          }),
        );
      }
    }, CHECK_EVERY_MS);
    const stop = (err: WpmError) => {
      clearInterval(watchdog);
      reject(err);
    };
    run().then(
      (v) => {
        clearInterval(watchdog);
        resolve(v);
      },
      (err: unknown) => {
        clearInterval(watchdog);
        reject(err);
      },
    );
  });
}
