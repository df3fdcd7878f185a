// wpm build FILE [-A ATTR]... : evaluate, build what is missing, print output paths, link results.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { EvalArg } from '../../derivations/index.js';
import { buildFile, dryRunFile, type DryRun, type Target } from '../../glue/index.js';
import { WpmError } from '../../util/index.js';
import { printDryRun, substitutableQuery } from '../dry-run.js';
import { useBaselineCompilerOnly } from '../../runtime/wasi/index.js';
import { recordCodeCacheUse, useCodeCache } from '../code-cache.js';
import { addGcRootLink, checkResultLink, type LocalStore } from '../../store/index.js';
import { evaluationOptions, openStore, stepLimitsFrom } from '../context.js';
import { commandSettings } from '../config.js';
import { chooseMode, createProgress } from '../progress.js';
import { sourceNamer } from '../source-names.js';
import { logFileOf } from '../../runtime/scheduler/index.js';
import { EXIT } from '../exit-codes.js';
import { addAttrOption, addEvalArgOptions, addStepLimitOptions, attrsFrom, evalArgsFrom, parseJobs, type EvalLimitFlags, type StepLimitFlags } from '../options.js';
import { interruptible } from '../interrupt.js';
import { addSubstituteOptions, createSubstituter, type CommandSubstituter, type SubstituteFlags } from '../substitution.js';
import { addRemoteOptions, createRemoteBuilder, type RemoteFlags } from '../remote-options.js';

export interface BuildFlags extends SubstituteFlags, EvalLimitFlags, StepLimitFlags, RemoteFlags {
  printBuildLogs?: boolean;
  dryRun?: boolean;
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

/** What a command's build shows and how it runs, beyond the file and its arguments. */
export interface CommandBuild extends EvalLimitFlags, StepLimitFlags {
  jobs?: number | undefined;
  keepGoing?: boolean | undefined;
  json?: boolean | undefined;
  /** No progress at all (wpm run off a terminal). */
  quiet?: boolean;
  check?: boolean | undefined;
  substituter?: CommandSubstituter | undefined;
  /** -L: stream every step's log. */
  printBuildLogs?: boolean | undefined;
  /** --remote and its companions (cli/remote-options.ts). */
  remoteFlags?: RemoteFlags | undefined;
  beforeBuilding?: (targets: Target[]) => void;
}

/** Evaluate and build with the settings, progress and Ctrl-C handling of a command. */
export async function buildForCommand(store: LocalStore, file: string, attrs: string[], args: EvalArg[], opts: CommandBuild): Promise<Target[]> {
  const settings = commandSettings();
  const progress = createProgress(opts.quiet ? 'quiet' : chooseMode(opts.json ?? false), process.stderr, {
    ...(opts.printBuildLogs ? { printLogs: { logFileOf: (drvPath: string) => logFileOf(store.layout, drvPath) } } : {}),
  });
  const remote = await createRemoteBuilder(opts.remoteFlags ?? {}, settings.remote, (e) => progress.onEvent(e));
  try {
    return await interruptible((signal) =>
      buildFile(store, { file, attrs, args }, {
        evaluation: evaluationOptions(opts),
        beforeBuilding: (evaluated) => {
          // What steps print names the user's sources as the user knows them (cli/source-names.ts).
          progress.setNames(sourceNamer(evaluated.sources));
          opts.beforeBuilding?.(evaluated.targets);
        },
        realisation: {
          jobs: opts.jobs ?? settings.maxJobs,
          keepGoing: opts.keepGoing ?? settings.keepGoing,
          check: opts.check ?? false,
          limits: stepLimitsFrom(opts),
          onEvent: (e) => progress.onEvent(e),
          signal,
          substituter: opts.substituter,
          program: remote,
          // Remote steps run beside the local ones; the WASI pool stays at -j.
          extraJobs: remote && !remote.executor.settings.cacheOnly ? (remote.executor.settings.jobs ?? 16) : 0,
        },
      }),
    );
  } finally {
    progress.finish();
    opts.substituter?.finish();
    await remote?.executor.close();
  }
}

/** Evaluate only, and say what building would build and fetch. */
export async function dryRunForCommand(store: LocalStore, file: string, attrs: string[], args: EvalArg[], opts: EvalLimitFlags & { substituter?: CommandSubstituter | undefined }): Promise<DryRun> {
  try {
    return await interruptible(() => dryRunFile(store, { file, attrs, args }, { evaluation: evaluationOptions(opts), query: substitutableQuery(opts.substituter) }));
  } finally {
    opts.substituter?.finish();
  }
}

/** No FILE: ./default.jsonnet, as nix-build takes ./default.nix. */
function defaultFile(file: string | undefined): string {
  if (file !== undefined) return file;
  if (!fs.existsSync('default.jsonnet')) {
    throw new WpmError('ERR_USAGE', `no FILE given, and ${path.resolve('default.jsonnet')} does not exist`, { hint: 'wpm build FILE [-A ATTR]' });
  }
  return 'default.jsonnet';
}

export function register(program: Command): void {
  const cmd = program
    .command('build')
    .description('build the derivations a Jsonnet file evaluates to, print their output paths and link ./result')
    .argument('[file]', 'Jsonnet file, or a directory with a default.jsonnet (default: ./default.jsonnet)')
    .option('-n, --dry-run', 'evaluate only, and print what would be built and what fetched from caches (with sizes)')
    .option('-o, --out <link>', 'name of the result link (several targets: <link>-<attr>)', 'result')
    .option('--no-link', 'do not create result links')
    .option('-j, --jobs <n>', 'steps to run at once (default: cores, or WPM_MAX_JOBS)', parseJobs)
    .option('-k, --keep-going', 'keep building independent steps after a failure')
    .option('--check', 'build outputs that are already valid again and compare them byte for byte (reproducibility check)')
    .option('--json', 'stream build events as JSON lines on stderr, results as JSON on stdout')
    .option('-L, --print-build-logs', "stream every step's log, each line prefixed by the step's name");
  addAttrOption(cmd, 'attribute path to build');
  addEvalArgOptions(cmd);
  addStepLimitOptions(cmd);
  addSubstituteOptions(cmd);
  addRemoteOptions(cmd);
  cmd.action(async (given: string | undefined, flags: BuildFlags) => {
    const file = defaultFile(given);
    const evalArgs = evalArgsFrom(flags);
    const store = openStore();
    useCodeCache(store);
    useBaselineCompilerOnly(); // build steps are toolchains: see runtime/wasi/module.ts
    const substituter = await createSubstituter(store, flags, { json: flags.json ?? false });
    if (flags.dryRun) {
      printDryRun(await dryRunForCommand(store, file, attrsFrom(flags), evalArgs, { ...flags, substituter }), flags.json ?? false);
      return;
    }
    // Every result link is checked once the targets are known, before anything is built.
    const targets = await buildForCommand(store, file, attrsFrom(flags), evalArgs, {
      ...flags,
      substituter,
      remoteFlags: flags,
      beforeBuilding: (found) => {
        if (flags.link) for (const l of resultLinks(found, flags.out)) checkResultLink(path.resolve(l.link));
      },
    }).catch((err: unknown) => {
      recordCodeCacheUse(err);
      throw err;
    });
    if (flags.link) for (const l of resultLinks(targets, flags.out)) addGcRootLink(store, path.resolve(l.link), l.storePath);
    if (flags.json) {
      process.stdout.write(JSON.stringify(targets.map((t) => ({ attr: t.attr, drvPath: t.drvPath, outputs: t.outputs }))) + '\n');
    } else {
      for (const t of targets) for (const p of Object.values(t.outputs)) process.stdout.write(p + '\n');
    }
    recordCodeCacheUse();
    process.exitCode = EXIT.OK;
  });
}

/**
 * The result links of a build: `result` for one target, `result-<attr>` for each of several
 * (`-A hello -A b64`: result-hello, result-b64), and `-<output>` after either for an output other
 * than 'out' (result-dev).
 */
export function resultLinks(targets: Target[], out: string | undefined): { link: string; storePath: string }[] {
  const several = targets.length > 1;
  return targets.flatMap((t) =>
    Object.entries(t.outputs).map(([output, storePath]) => {
      let link = out ?? 'result';
      if (several) link += `-${t.attr.replace(/\//g, '_')}`;
      if (output !== 'out') link += `-${output}`;
      return { link, storePath };
    }),
  );
}
