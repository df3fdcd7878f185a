// wpm eval FILE [-A ATTR] [--json] : print what a file evaluates to (derivations show as objects
// with their drvPath and outputs). Nothing is built.
import type { Command } from 'commander';
import { evaluate } from '../../derivations/index.js';
import { storeEvalIO, writeDerivations } from '../../runtime/scheduler/index.js';
import { LIB_DIR, openStore } from '../context.js';
import { addEvalArgOptions, evalArgsFrom } from '../options.js';

export function register(program: Command): void {
  const cmd = program
    .command('eval')
    .description('evaluate a Jsonnet file and print the result as JSON')
    .argument('<file>', 'Jsonnet file')
    .option('-A, --attr <attr>', 'attribute path to evaluate')
    .option('--json', 'print compact JSON on one line');
  addEvalArgOptions(cmd);
  cmd.action(async (file: string, flags: { attr?: string; json?: boolean; arg?: string[][]; argstr?: string[][] }) => {
    const store = openStore();
    const r = await evaluate({ file, attrPath: flags.attr ?? '', args: evalArgsFrom(flags) }, storeEvalIO(store), { libDirs: [LIB_DIR] });
    await writeDerivations(store, r.derivations);
    process.stdout.write((flags.json ? JSON.stringify(r.value) : JSON.stringify(r.value, null, 2)) + '\n');
  });
}
