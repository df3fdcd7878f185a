// The wpm command: argument parsing, error messages and exit codes. Everything else lives in the
// layers below; commands are one file each under commands/.
import { Command, CommanderError } from 'commander';
import { isWpmError, WpmError } from '../util/index.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { register as registerBuild } from './commands/build.js';
import { register as registerRun } from './commands/run.js';
import { register as registerEval } from './commands/eval.js';
import { register as registerShowDerivation } from './commands/show-derivation.js';
import { register as registerLog } from './commands/log.js';
import { register as registerGraph } from './commands/graph.js';
import { register as registerStore } from './commands/store.js';
import { register as registerNar } from './commands/nar.js';
import { register as registerHash } from './commands/hash.js';
import { register as registerServe } from './commands/serve.js';
import { register as registerCopy } from './commands/copy.js';
import { register as registerKey } from './commands/key.js';
import { register as registerSign } from './commands/sign.js';
import { register as registerChallenge } from './commands/challenge.js';

function exitCodeFor(err: WpmError): number {
  if (err.code === 'ERR_INTERRUPTED') return EXIT.INTERRUPTED;
  if (err.code === 'ERR_USAGE') return EXIT.USAGE;
  if (err.code.startsWith('ERR_EVAL') || err.code.startsWith('ERR_DRV')) return EXIT.EVAL_FAILED;
  if (err.code.startsWith('ERR_BUILD') || err.code.startsWith('ERR_WASI') || err.code.startsWith('ERR_UNPACK') || err.code === 'ERR_STORE_HASH_MISMATCH') {
    return EXIT.BUILD_FAILED;
  }
  return EXIT.ERROR;
}

export function createProgram(): Command {
  const program = new Command('wpm')
    .description('wpm: a hermetic build system and package manager where every build step is a WebAssembly program')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `\nEnvironment:\n  WPM_HOME       where the store lives (default: $XDG_DATA_HOME/wpm or ~/.local/share/wpm)\n  WPM_MAX_JOBS   default for -j\n${EXIT_CODES_HELP}`,
    )
    .exitOverride();
  registerBuild(program);
  registerRun(program);
  registerEval(program);
  registerShowDerivation(program);
  registerLog(program);
  registerGraph(program);
  registerStore(program);
  registerNar(program);
  registerHash(program);
  registerServe(program);
  registerCopy(program);
  registerKey(program);
  registerSign(program);
  registerChallenge(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `wpm eval … | head`: a closed pipe is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const program = createProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; commander already printed its message.
      process.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    if (isWpmError(err)) {
      process.stderr.write(`error: ${err.message}\n`);
      if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
      if (process.env.WPM_DEBUG && err.stack) process.stderr.write(err.stack + '\n');
      process.exitCode = exitCodeFor(err);
      return;
    }
    process.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = EXIT.ERROR;
  }
}
