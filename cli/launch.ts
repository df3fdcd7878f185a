// A launcher's run, kept apart from the `run` command's module so that a launcher loads no more
// than it needs (launcher-main.ts reaches it without the command line parser).
import { resolveLauncher } from './launcher.js';
import { runProgram } from './run-program.js';

/** Run what a launcher stands for (cli/launcher.ts); resolves with the program's exit code. */
export async function runLaunched(launcher: string, args: string[]): Promise<number> {
  const { store, run } = resolveLauncher(launcher, args);
  return runProgram(store, run);
}

