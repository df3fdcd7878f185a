// Ctrl-C (or SIGTERM): the first one aborts the build's signal, which stops the running steps at
// once and lets every step clean up its temporary directory (nothing partial is registered); a
// second one exits at once. The exit code is 128 plus the signal's number, as a shell reports
// it: 130 for SIGINT, 143 for SIGTERM.
import { WpmError } from '../util/index.js';

export async function interruptible<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) process.exit(exitCodeOf(sig));
    interrupted = sig;
    const again = sig === 'SIGINT' ? 'press Ctrl-C again' : `send ${sig} again`;
    process.stderr.write(`\nwpm: ${sig}, stopping builds (${again} to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await run(controller.signal);
    if (interrupted) throw interruptedError(interrupted);
    return result;
  } catch (err) {
    if (interrupted) throw interruptedError(interrupted, err);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function exitCodeOf(sig: NodeJS.Signals): number {
  return sig === 'SIGTERM' ? 143 : 130;
}

/** ERR_INTERRUPTED, carrying the exit code its signal calls for. */
function interruptedError(sig: NodeJS.Signals, cause?: unknown): WpmError {
  return new WpmError('ERR_INTERRUPTED', `interrupted (${sig})`, { exitCode: exitCodeOf(sig), ...(cause === undefined ? {} : { cause }) });
}
