// wpm show-derivation PATH|FILE [-A ATTR] : the derivation(s) as pretty JSON, keyed by .drv path.
import fs from 'node:fs';
import { Option, type Command } from 'commander';
import { derivationToJson, type Derivation } from '../../derivations/index.js';
import { readDerivation } from '../../runtime/scheduler/index.js';
import { STORE_DIR } from '../../store/index.js';
import { WpmError } from '../../util/index.js';
import { evaluationOptions, openStore } from '../context.js';
import { storePathArg } from '../store-path-arg.js';
import { evaluateFile } from '../../glue/index.js';
import { addAttrOption, addEvalArgOptions, attrsFrom, evalArgsFrom, type EvalLimitFlags } from '../options.js';

export function register(program: Command): void {
  const cmd = program
    .command('show-derivation')
    .description('print derivations as JSON: a .drv store path, or what a Jsonnet file evaluates to')
    .argument('<target>', '.drv store path or Jsonnet file')
    .option('-r, --closure', 'include every input derivation too, recursively')
    // Its earlier name (Nix's `nix show-derivation -r` is --recursive); -r/--closure is what every wpm command calls it.
    .addOption(new Option('--recursive').hideHelp());
  addAttrOption(cmd);
  addEvalArgOptions(cmd);
  cmd.action(async (target: string, flags: { attr?: string[]; closure?: boolean; recursive?: boolean; arg?: string[][]; argstr?: string[][] } & EvalLimitFlags) => {
    const store = openStore();
    let roots: string[];
    let known = new Map<string, Derivation>();
    if (target.startsWith(STORE_DIR + '/') || (fs.existsSync(target) && store.fromHost(fs.realpathSync(target)))) {
      roots = [derivationOf(store, storePathArg(store, target))];
    } else {
      const evaluated = await evaluateFile(store, { file: target, attrs: attrsFrom(flags), args: evalArgsFrom(flags) }, evaluationOptions(flags));
      known = evaluated.derivations;
      roots = evaluated.targets.map((t) => t.drvPath);
    }
    const out: Record<string, unknown> = {};
    const stack = [...roots];
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (out[p]) continue;
      const drv = known.get(p) ?? readDerivation(store, p);
      out[p] = derivationToJson(drv);
      if (flags.closure || flags.recursive) stack.push(...Object.keys(drv.inputDrvs));
    }
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  });
}

/** A .drv path as it is; an output (./result) by the derivation the store says built it, as wpm log does. */
function derivationOf(store: ReturnType<typeof openStore>, storePath: string): string {
  if (storePath.endsWith('.drv')) return storePath;
  const deriver = store.queryPathInfo(storePath)?.deriver;
  if (!deriver) throw new WpmError('ERR_USAGE', `${storePath} is not a .drv path, and the store does not know a derivation that built it`);
  return deriver;
}
