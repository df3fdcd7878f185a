// Ctrl-C: the first one stops the workers and lets every step clean up its temporary directory
// (nothing partial is registered); a second one exits at once.
import { WpmError } from '../util/index.js';
import type { WasiPool } from '../runtime/wasi/index.js';

export async function interruptible<T>(pool: WasiPool, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\nwpm: ${sig}, stopping builds (press Ctrl-C again to quit at once)\n`);
    controller.abort();
    pool.abortAll();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await run(controller.signal);
    if (interrupted) throw new WpmError('ERR_INTERRUPTED', 'interrupted');
    return result;
  } catch (err) {
    if (interrupted) throw new WpmError('ERR_INTERRUPTED', 'interrupted', { cause: err });
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
