// wpm log PATH|DRV|FILE [-A ATTR] [--all] : the stdout and stderr a build step wrote. The log is
// kept whether the step succeeded or not; for a step whose outputs are not in the store, stderr
// says so. --all gives every step of the build that made the target, inputs first.
import fs from 'node:fs';
import type { Command } from 'commander';
import type { Derivation } from '../../derivations/index.js';
import { evaluateFile } from '../../glue/index.js';
import { logFileOf, readDerivation } from '../../runtime/scheduler/index.js';
import { STORE_DIR, type LocalStore } from '../../store/index.js';
import { WpmError } from '../../util/index.js';
import { evaluationOptions, openStore } from '../context.js';
import { addAttrOption, addEvalArgOptions, attrsFrom, evalArgsFrom, type EvalLimitFlags } from '../options.js';
import { storePathArg } from '../store-path-arg.js';

interface LogFlags extends EvalLimitFlags {
  attr?: string[];
  all?: boolean;
  arg?: string[][];
  argstr?: string[][];
}

export function register(program: Command): void {
  const cmd = program
    .command('log')
    .description("print a build step's log, given its .drv path, one of its outputs (or ./result), or a Jsonnet file and -A")
    .argument('<target>', '.drv path, output path, result link, or a Jsonnet file (or directory)')
    .option('--all', 'every step of the build that made it, inputs first, each under a header');
  addAttrOption(cmd, 'attribute path of the Jsonnet file');
  addEvalArgOptions(cmd);
  cmd.action(async (target: string, flags: LogFlags) => {
    const store = openStore();
    const drvPaths = await derivationsOf(store, target, flags);
    if (!flags.all) {
      for (const drvPath of drvPaths) printOne(store, drvPath, drvPaths.length > 1);
      return;
    }
    const { steps, loads } = closureOf(store, drvPaths);
    const without: string[] = [];
    for (const [drvPath, drv] of steps) {
      const file = logFileOf(store.layout, drvPath);
      if (!fs.existsSync(file)) {
        without.push(drv?.name ?? drvPath);
        continue;
      }
      process.stdout.write(`== ${drv?.name ?? drvPath} (${drvPath}) ==\n`);
      process.stdout.write(fs.readFileSync(file));
    }
    if (without.length > 0) {
      process.stderr.write(`${without.length} of ${steps.length} steps have no log here (substituted, or never built by this store): ${without.join(', ')}\n`);
    }
    if (loads > 0) process.stderr.write(`${loads} input derivations are gone from the store; their steps are left out\n`);
  });
}

/** The .drv paths a target names: a store path's deriver, a .drv, or a Jsonnet file's targets. */
async function derivationsOf(store: LocalStore, target: string, flags: LogFlags): Promise<string[]> {
  const isStore = target.startsWith(STORE_DIR + '/') || (fs.existsSync(target) && store.fromHost(fs.realpathSync(target)) !== undefined);
  if (!isStore && fs.existsSync(target)) {
    const evaluated = await evaluateFile(store, { file: target, attrs: attrsFrom(flags), args: evalArgsFrom(flags) }, evaluationOptions(flags));
    return evaluated.targets.map((t) => t.drvPath);
  }
  const storePath = storePathArg(store, target);
  if (storePath.endsWith('.drv')) return [storePath];
  const info = store.queryPathInfo(storePath);
  if (!info?.deriver) throw new WpmError('ERR_LOG_NONE', `${storePath} was not built here, so there is no log`);
  return [info.deriver];
}

function printOne(store: LocalStore, drvPath: string, header: boolean): void {
  const file = logFileOf(store.layout, drvPath);
  if (!fs.existsSync(file)) throw new WpmError('ERR_LOG_NONE', `no log for ${drvPath}`, { hint: 'a step that was substituted, or never built by this store, has none' });
  const log = fs.readFileSync(file);
  if (header) process.stdout.write(`== ${drvPath} ==\n`);
  // Said on stderr, so that `wpm log X > file` still gives the log's exact bytes.
  if (log.length === 0) process.stderr.write(`the log of ${drvPath} is empty: the step wrote nothing to stdout or stderr\n`);
  process.stdout.write(log);
  if (outputsValid(store, drvPath) === false) {
    process.stderr.write(`${drvPath} is not built (its outputs are not in the store): this is the log of its last attempt, which failed, was stopped or is still running\n`);
  }
}

/** Every derivation the targets need, inputs before what needs them; those whose .drv is gone counted. */
function closureOf(store: LocalStore, roots: string[]): { steps: [string, Derivation | undefined][]; loads: number } {
  const steps: [string, Derivation | undefined][] = [];
  const seen = new Set<string>();
  let loads = 0;
  const visit = (drvPath: string) => {
    if (seen.has(drvPath)) return;
    seen.add(drvPath);
    let drv: Derivation | undefined;
    try {
      drv = readDerivation(store, drvPath);
    } catch {
      loads++;
    }
    for (const input of Object.keys(drv?.inputDrvs ?? {}).sort()) visit(input);
    steps.push([drvPath, drv]);
  };
  for (const r of roots) visit(r);
  return { steps, loads };
}

/** Are all the outputs of this derivation valid? Undefined when its .drv is gone (collected): not known. */
function outputsValid(store: LocalStore, drvPath: string): boolean | undefined {
  let outputs: string[];
  try {
    outputs = Object.values(readDerivation(store, drvPath).outputs).map((o) => o.path);
  } catch {
    return undefined;
  }
  return store.areValid(outputs).every(Boolean);
}
