// wpm compile-commands FILE [-A ATTR] : write compile_commands.json for the C and C++ compile steps
// of a build (glue/compile-commands.ts), after building what they need (the toolchain, generated
// headers), so that clangd finds every include.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { compileCommands, compileSteps, evaluateFile } from '../../glue/index.js';
import { readDerivation, realise } from '../../runtime/scheduler/index.js';
import { WpmError } from '../../util/index.js';
import { commandSettings } from '../config.js';
import { evaluationOptions, openStore, stepLimitsFrom } from '../context.js';
import { interruptible } from '../interrupt.js';
import { addAttrOption, addEvalArgOptions, attrsFrom, evalArgsFrom, type EvalLimitFlags } from '../options.js';
import { chooseMode, createProgress } from '../progress.js';

interface Flags extends EvalLimitFlags {
  attr?: string[];
  output: string;
  arg?: string[][];
  argstr?: string[][];
}

export function register(program: Command): void {
  const cmd = program
    .command('compile-commands')
    .description("write compile_commands.json for a build's C and C++ compile steps (for clangd and other editors' tools)")
    .argument('<file>', 'Jsonnet file, or a directory with a default.jsonnet')
    .option('-o, --output <file>', 'where to write it', 'compile_commands.json');
  addAttrOption(cmd, 'attribute path');
  addEvalArgOptions(cmd);
  cmd.action(async (file: string, flags: Flags) => {
    const store = openStore();
    const evaluated = await evaluateFile(store, { file, attrs: attrsFrom(flags), args: evalArgsFrom(flags) }, evaluationOptions(flags));
    const load = (p: string) => evaluated.derivations.get(p) ?? readDerivation(store, p);
    const steps = compileSteps(evaluated.targets.map((t) => t.drvPath), load);
    if (steps.length === 0) throw new WpmError('ERR_USAGE', `${file} builds no C or C++ compile step`);
    // What the compiles read must be in the store: the toolchain, headers other steps make.
    const inputs = [...new Set(steps.flatMap((s) => Object.keys(s.drv.inputDrvs)))];
    const progress = createProgress(chooseMode(false));
    const settings = commandSettings();
    try {
      const result = await interruptible((signal) =>
        realise(store, inputs, evaluated.derivations, { jobs: settings.maxJobs, limits: stepLimitsFrom({}), onEvent: (e) => progress.onEvent(e), signal }),
      );
      if (result.failed.length > 0) throw new WpmError('ERR_BUILD_FAILED', `building what the compile steps need failed: ${(result.failed[0]!.error as Error).message}`);
    } finally {
      progress.finish();
    }
    const entries = compileCommands(store, steps, evaluated.sources, process.cwd());
    const dest = path.resolve(flags.output);
    fs.writeFileSync(`${dest}.tmp-${process.pid}`, JSON.stringify(entries, null, 2) + '\n');
    fs.renameSync(`${dest}.tmp-${process.pid}`, dest);
    process.stderr.write(`wrote ${entries.length} compile command${entries.length === 1 ? '' : 's'} to ${path.relative(process.cwd(), dest) || dest}\n`);
  });
}
