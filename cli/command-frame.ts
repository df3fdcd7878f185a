// What every wpm entry does around its command (main.ts for the command line, launcher-main.ts
// for a profile's launchers): a closed stdout is the reader's choice, an error is reported with
// its message, hint and exit code, and an event loop that empties with the command still waiting
// is an error rather than a silent exit 0.
import { isWpmError } from '../util/index.js';
import { EXIT } from './exit-codes.js';
import { exitNow } from './exit-now.js';

/**
 * Runs `command`. `handled` sees an error first and returns true if it took care of it (the
 * command line's own usage errors).
 */
export async function runFramed(command: () => Promise<void>, handled?: (err: unknown) => Promise<boolean>): Promise<void> {
  // If the event loop empties while a command is still waiting (say, a download that stalled
  // without keeping a handle open), Node would exit 0 having done nothing: make that an error.
  let settled = false;
  process.on('exit', (code) => {
    if (settled || code !== 0) return;
    process.stderr.write('internal error: wpm stopped with work still pending (nothing was left to wait on)\n');
    process.exitCode = EXIT.ERROR;
  });
  // `wpm eval … | head`: a closed pipe is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  try {
    await command();
  } catch (err) {
    if (!(handled && (await handled(err)))) report(err);
  } finally {
    settled = true;
  }
}

function report(err: unknown): void {
  if (isWpmError(err)) {
    process.stderr.write(`error: ${err.message}\n`);
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
    if (process.env.WPM_DEBUG && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = err.exitCode ?? err.kind.exit;
    // libjsonnet's thread goes on past a limit, and would keep the process alive (and busy).
    if (err.code === 'ERR_EVAL_LIMIT') exitNow(process.exitCode);
    return;
  }
  process.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = EXIT.ERROR;
}
