// wpm run FILE|PATH -- ARGS : run a built program (a package puts it in $out/bin/<name>.wasm) with
// the real stdin/stdout/stderr, its own closure read-only, and only the directories granted by
// --dir. Exits with the program's exit code.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { WpmError } from '../../util/index.js';
import { STORE_DIR, type LocalStore } from '../../store/index.js';
import { openStore } from '../context.js';
import { collect, parseDir } from '../dirs.js';
import { runLaunched } from '../launch.js';
import { runProgram } from '../run-program.js';
import { addEvalArgOptions, addStepLimitOptions, evalArgsFrom, type EvalLimitFlags, type StepLimitFlags } from '../options.js';
import { addSubstituteOptions, createSubstituter, type SubstituteFlags } from '../substitution.js';

interface RunFlags extends SubstituteFlags, EvalLimitFlags, StepLimitFlags {
  launcher?: string;
  attr?: string;
  bin?: string;
  dir?: string[];
  arg?: string[][];
  argstr?: string[][];
}

/** A store path from `./result`, a physical store path, a logical one, or a Jsonnet file (or directory) to build. */
async function resolveTarget(store: LocalStore, target: string, flags: RunFlags): Promise<string> {
  if (target.startsWith(STORE_DIR + '/')) {
    const base = target.slice(STORE_DIR.length + 1).split('/')[0]!;
    return `${STORE_DIR}/${base}`;
  }
  let real: string;
  try {
    real = fs.realpathSync(target);
  } catch {
    throw new WpmError('ERR_USAGE', `${target}: no such file or store path`);
  }
  const inStore = store.fromHost(real);
  if (inStore) return inStore;
  // A directory means its default.jsonnet, as for build (a missing one is named there).
  const st = fs.statSync(real);
  if (st.isFile() || st.isDirectory()) {
    const quiet = !process.stderr.isTTY;
    const substituter = await createSubstituter(store, flags, { quiet });
    // The build machinery loads only for a Jsonnet target: a store path's run starts sooner without it.
    const { buildForCommand } = await import('./build.js');
    const targets = await buildForCommand(store, real, flags.attr ? [flags.attr] : [], evalArgsFrom(flags), { ...flags, quiet, substituter });
    if (targets.length !== 1) {
      throw new WpmError('ERR_USAGE', `${target} gives ${targets.length} derivations; choose one with -A (${targets.map((t) => t.attr).join(', ')})`);
    }
    return targets[0]!.outputs.out ?? Object.values(targets[0]!.outputs)[0]!;
  }
  throw new WpmError('ERR_USAGE', `${target} is neither a store path nor a Jsonnet file`);
}

/** Which .wasm inside the output to run. */
function findProgram(store: LocalStore, storePath: string, bin: string | undefined): { guest: string; name: string } {
  const host = store.toHost(storePath);
  if (fs.statSync(host).isFile()) return { guest: storePath, name: path.basename(storePath) };
  const binDir = path.join(host, 'bin');
  const programs = fs.existsSync(binDir) ? fs.readdirSync(binDir).filter((f) => f.endsWith('.wasm')).sort() : [];
  if (bin !== undefined) {
    if (!programs.includes(`${bin}.wasm`)) {
      throw new WpmError('ERR_RUN_NO_PROGRAM', `${storePath} has no bin/${bin}.wasm`, { hint: programs.length ? `it has: ${programs.join(', ')}` : undefined });
    }
    return { guest: `${storePath}/bin/${bin}.wasm`, name: bin };
  }
  if (programs.length === 1) return { guest: `${storePath}/bin/${programs[0]}`, name: programs[0]!.slice(0, -5) };
  if (programs.length === 0) throw new WpmError('ERR_RUN_NO_PROGRAM', `${storePath} has no bin/*.wasm program`);
  throw new WpmError('ERR_USAGE', `${storePath} has several programs; choose one with --bin (${programs.map((p) => p.slice(0, -5)).join(', ')})`);
}

export function register(program: Command): void {
  const cmd = program
    .command('run')
    .description('run a built program with real stdio; it sees its own closure and the --dir directories, nothing else')
    .argument('[target]', './result, a store path, or a Jsonnet file to build first')
    .argument('[args...]', 'arguments for the program (after --)')
    .option('-A, --attr <attr>', 'attribute of the Jsonnet file to run')
    .option('--bin <name>', 'which bin/<name>.wasm to run when there are several')
    .option('--dir <host[:guest]>', 'grant a host directory, read-write (repeatable)', collect)
    .option('--launcher <path>', "what a profile's launcher script runs: the program its configuration names (no target)");
  addEvalArgOptions(cmd);
  addStepLimitOptions(cmd);
  addSubstituteOptions(cmd);
  cmd.action(async (target: string | undefined, args: string[], flags: RunFlags) => {
    if (flags.launcher !== undefined) {
      // `wpm run --launcher PATH -- ARGS`: every operand is the program's.
      process.exitCode = await runLaunched(flags.launcher, target === undefined ? args : [target, ...args]);
      return;
    }
    if (target === undefined) throw new WpmError('ERR_USAGE', "missing required argument 'target'", { hint: 'wpm run ./result -- ARGS' });
    const store = openStore();
    const storePath = await resolveTarget(store, target, flags);
    const prog = findProgram(store, storePath, flags.bin);
    const dirs = (flags.dir ?? []).map(parseDir);
    process.exitCode = await runProgram(store, { ...prog, args, dirs, cwd: dirs[0]?.guest ?? '/' });
  });
}
