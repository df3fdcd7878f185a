// wpm eval FILE [-A ATTR] [--json] : print what a file evaluates to (derivations show as objects
// with their drvPath and outputs). Nothing is built; the .drv files are written (so that the paths
// printed can be shown and built), unless --read-only.
import { InvalidArgumentError, type Command } from 'commander';
import { evaluationOptions, openStore } from '../context.js';
import { evaluateFile } from '../../glue/index.js';
import { addEvalArgOptions, evalArgsFrom, type EvalLimitFlags } from '../options.js';

export function register(program: Command): void {
  const cmd = program
    .command('eval')
    .description('evaluate a Jsonnet file and print the result as JSON')
    .argument('<file>', 'Jsonnet file, or a directory with a default.jsonnet')
    .option('-A, --attr <attr>', 'attribute path to evaluate (one: eval prints one value)', (value: string, previous: string | undefined) => {
      if (previous !== undefined) throw new InvalidArgumentError('give one attribute path: wpm eval prints one value');
      return value;
    })
    .option('--json', 'print compact JSON on one line')
    .option('--read-only', 'write no .drv files: the derivation paths printed are computed, not stored');
  addEvalArgOptions(cmd);
  cmd.action(async (file: string, flags: { attr?: string; json?: boolean; readOnly?: boolean; arg?: string[][]; argstr?: string[][] } & EvalLimitFlags) => {
    const store = openStore();
    const target = { file, attrs: flags.attr ? [flags.attr] : [], args: evalArgsFrom(flags) };
    const { values } = await evaluateFile(store, target, evaluationOptions(flags, { anyValue: true, readOnly: flags.readOnly }));
    const value = values[0]!.value;
    process.stdout.write((flags.json ? JSON.stringify(value) : JSON.stringify(value, null, 2)) + '\n');
  });
}
