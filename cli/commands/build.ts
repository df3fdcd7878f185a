// wpm build FILE [-A ATTR]... : evaluate, build what is missing, print output paths, link results.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { WpmError } from '../../util/index.js';
import type { EvalArg } from '../../derivations/index.js';
import { logFileOf, realise } from '../../runtime/scheduler/index.js';
import { WasiPool, useBaselineCompilerOnly } from '../../runtime/wasi/index.js';
import { addGcRootLink, checkResultLink, type LocalStore } from '../../store/index.js';
import { defaultJobs, openStore } from '../context.js';
import { commandSettings } from '../config.js';
import { evaluateFile, type Target } from '../evaluate.js';
import { chooseMode, createProgress } from '../progress.js';
import { EXIT } from '../exit-codes.js';
import { addAttrOption, addEvalArgOptions, attrsFrom, evalArgsFrom, parseJobs } from '../options.js';
import { interruptible } from '../interrupt.js';
import { addSubstituteOptions, createSubstituter, type SubstituteFlags } from '../substitution.js';
import type { Substituter } from '../../runtime/scheduler/index.js';

export interface BuildFlags extends SubstituteFlags {
  attr?: string[];
  out?: string;
  link: boolean;
  jobs?: number;
  keepGoing?: boolean;
  check?: boolean;
  json?: boolean;
  arg?: string[][];
  argstr?: string[][];
}

/** Evaluate and build; returns the built targets, or throws with the right exit code set. */
export async function buildFile(
  store: LocalStore,
  file: string,
  attrs: string[],
  args: EvalArg[],
  flags: {
    jobs?: number;
    keepGoing?: boolean;
    json?: boolean;
    quiet?: boolean;
    check?: boolean;
    substituter?: Substituter | undefined;
    /** Told the targets before anything is built: a last chance to refuse (a result link that cannot be made). */
    beforeBuilding?: (targets: Target[]) => void;
  },
): Promise<Target[]> {
  const evaluated = await evaluateFile(store, file, attrs, args);
  flags.beforeBuilding?.(evaluated.targets);
  const settings = commandSettings();
  const jobs = flags.jobs ?? defaultJobs();
  const progress = createProgress(flags.quiet ? 'quiet' : chooseMode(flags.json ?? false));
  const pool = new WasiPool({ size: jobs });
  try {
    const result = await interruptible(pool, (signal) =>
      realise(store, pool, evaluated.targets.map((t) => t.drvPath), evaluated.derivations, {
        jobs,
        keepGoing: flags.keepGoing ?? settings.keepGoing,
        fetchTimeoutMs: settings.fetchTimeout * 1000,
        check: flags.check ?? false,
        knownOutputs: new Map(evaluated.targets.map((t) => [t.drvPath, Object.values(t.outputs)])),
        onEvent: (e) => progress.onEvent(e),
        signal,
        ...(flags.substituter ? { substituter: flags.substituter } : {}),
      }),
    );
    progress.finish();
    if (result.failed.length > 0) {
      const first = result.failed[0]!;
      const err = first.error instanceof WpmError ? first.error : new WpmError('ERR_BUILD_FAILED', String(first.error));
      const others = result.failed.length - 1;
      const more = others > 0 ? ` (and ${others} more failed step${others === 1 ? '' : 's'})` : '';
      // Whatever went wrong inside a step, the command's verdict is "a build step failed".
      const hasLog = (fs.statSync(logFileOf(store.layout, first.drvPath), { throwIfNoEntry: false })?.size ?? 0) > 0;
      throw new WpmError('ERR_BUILD_FAILED', `${err.message}${more}`, {
        cause: err,
        ...(err.hint ? { hint: err.hint } : hasLog ? { hint: `the full log: wpm log ${first.drvPath}` } : {}),
      });
    }
    return evaluated.targets;
  } finally {
    progress.finish();
    await pool.close();
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('build')
    .description('build the derivations a Jsonnet file evaluates to, print their output paths and link ./result')
    .argument('<file>', 'Jsonnet file, or a directory with a default.jsonnet')
    .option('-o, --out <link>', 'name of the result link', 'result')
    .option('--no-link', 'do not create result links')
    .option('-j, --jobs <n>', 'steps to run at once (default: cores, or WPM_MAX_JOBS)', parseJobs)
    .option('-k, --keep-going', 'keep building independent steps after a failure')
    .option('--check', 'build outputs that are already valid again and compare them byte for byte (reproducibility check)')
    .option('--json', 'stream build events as JSON lines on stderr, results as JSON on stdout');
  addAttrOption(cmd, 'attribute path to build');
  addEvalArgOptions(cmd);
  addSubstituteOptions(cmd);
  cmd.action(async (file: string, flags: BuildFlags) => {
    useBaselineCompilerOnly(); // build steps are toolchains: see runtime/wasi/module.ts
    const evalArgs = evalArgsFrom(flags);
    const store = openStore();
    const substituter = await createSubstituter(store, flags, { json: flags.json ?? false });
    // Every result link is checked once the targets are known, before anything is built.
    const targets = await buildFile(store, file, attrsFrom(flags), evalArgs, {
      ...flags,
      substituter,
      beforeBuilding: (found) => {
        if (flags.link) for (const l of resultLinks(found, flags.out)) checkResultLink(path.resolve(l.link));
      },
    });
    if (flags.link) for (const l of resultLinks(targets, flags.out)) addGcRootLink(store, path.resolve(l.link), l.storePath);
    if (flags.json) {
      process.stdout.write(JSON.stringify(targets.map((t) => ({ attr: t.attr, drvPath: t.drvPath, outputs: t.outputs }))) + '\n');
    } else {
      for (const t of targets) for (const p of Object.values(t.outputs)) process.stdout.write(p + '\n');
    }
    process.exitCode = EXIT.OK;
  });
}

/** The result links of a build: result, result-2 for a second target, result-dev for an output 'dev'. */
function resultLinks(targets: Target[], out: string | undefined): { link: string; storePath: string }[] {
  return targets.flatMap((t, i) =>
    Object.entries(t.outputs).map(([output, storePath]) => {
      let link = out ?? 'result';
      if (i > 0) link += `-${i + 1}`;
      if (output !== 'out') link += `-${output}`;
      return { link, storePath };
    }),
  );
}
