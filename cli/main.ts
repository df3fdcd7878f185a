// The wpm command: argument parsing, error messages and exit codes. Everything else lives in the
// layers below; commands are one file each under commands/.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DIST_DIR } from '../util/index.js';
import { runFramed } from './command-frame.js';
import { settingsHelp } from './config.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';

type Registrar = { register(program: Command): void };

/**
 * Each verb's modules, loaded only when that verb runs: a no-op `wpm build` should not pay for
 * the binary-cache server or the NAR tools. Order is the order of `wpm --help`.
 */
const COMMANDS: [verb: string, load: () => Promise<Registrar>[]][] = [
  ['build', () => [import('./commands/build.js')]],
  ['run', () => [import('./commands/run.js')]],
  ['install', () => [import('./commands/install.js')]],
  ['remove', () => [import('./commands/remove.js')]],
  ['upgrade', () => [import('./commands/upgrade.js')]],
  ['list', () => [import('./commands/list.js')]],
  ['generations', () => [import('./commands/generations.js')]],
  ['rollback', () => [import('./commands/rollback.js')]],
  ['switch-generation', () => [import('./commands/switch-generation.js')]],
  ['profile', () => [import('./commands/profile.js')]],
  ['env', () => [import('./commands/env.js')]],
  ['eval', () => [import('./commands/eval.js')]],
  ['show-derivation', () => [import('./commands/show-derivation.js')]],
  ['log', () => [import('./commands/log.js')]],
  ['graph', () => [import('./commands/graph.js')]],
  ['compile-commands', () => [import('./commands/compile-commands.js')]],
  ['store', () => [import('./commands/store.js'), import('./commands/sign.js'), import('./commands/store-queries.js')]],
  ['why-depends', () => [import('./commands/why-depends.js')]],
  ['nar', () => [import('./commands/nar.js')]],
  ['hash', () => [import('./commands/hash.js')]],
  ['serve', () => [import('./commands/serve.js')]],
  ['copy', () => [import('./commands/copy.js')]],
  ['key', () => [import('./commands/key.js')]],
  ['challenge', () => [import('./commands/challenge.js')]],
];


/** The installed wpm's own version (npm_package_version is the version of whatever npm script runs wpm). */
function wpmVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(path.dirname(DIST_DIR), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The program with the commands for `verb` (all of them when the verb is unknown or absent). */
export async function createProgram(verb?: string, opts: { noCommands?: boolean } = {}): Promise<Command> {
  const { Command } = await import('commander');
  const program = new Command('wpm')
    .description('wpm: a hermetic build system and package manager where every build step is a WebAssembly program')
    .version(wpmVersion())
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Environment (settings also come from $XDG_CONFIG_HOME/wpm/wpm.conf; flags win):
  WPM_HOME                   where the store lives (default: $XDG_DATA_HOME/wpm or ~/.local/share/wpm)
${settingsHelp('  ', 27)}
  WPM_CACHE_TOKEN            bearer token for wpm copy --to
  WPM_EVAL_CACHE=0           evaluate every time (no evaluation cache)
  WPM_RUN_STACK_MB=N         wpm run and launchers: run the program in a thread with an N MiB stack
  WPM_DEBUG=1                stack traces on errors
  WPM_CLI_CACHE=0            start without the command line's compiled-code cache
${EXIT_CODES_HELP}`,
    )
    .exitOverride();
  const known = COMMANDS.some(([v]) => v === verb);
  for (const [v, load] of COMMANDS) {
    if (opts.noCommands || (known && v !== verb)) continue;
    for (const mod of await Promise.all(load())) mod.register(program);
  }
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await runFramed(() => runCommand(argv), usageError);
}

async function runCommand(argv: string[]): Promise<void> {
  const verb = argv.find((a) => !a.startsWith('-'));
  // `wpm --version` needs no command: loading them all would double its time.
  const versionOnly = argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V');
  const program = await createProgram(verb, { noCommands: versionOnly });
  await program.parseAsync(argv, { from: 'user' });
}

/** Help, version and bad command lines: commander has printed its message already. */
async function usageError(err: unknown): Promise<boolean> {
  if (!(err instanceof (await import('commander')).CommanderError)) return false;
  process.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  return true;
}
