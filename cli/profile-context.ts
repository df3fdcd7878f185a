// What the profile commands share: --profile and --dry-run, the builds they run (with a build's
// progress, substituters and Ctrl-C), and how they report what changed.
import path from 'node:path';
import type { Command } from 'commander';
import { WpmError } from '../util/index.js';
import { realise } from '../runtime/scheduler/index.js';
import { useBaselineCompilerOnly } from '../runtime/wasi/index.js';
import type { LocalStore } from '../store/index.js';
import { DEFAULT_PROFILE, Profile, ensureWpmLink, envScript, type Change, type Outcome, type ProfileBuilds } from '../profiles/index.js';
import { WPM_ROOT, openStore, stepLimitsFrom } from './context.js';
import { commandSettings } from './config.js';
import { buildForCommand, dryRunForCommand } from './commands/build.js';
import { printDryRun } from './dry-run.js';
import { interruptible } from './interrupt.js';
import { addEvalArgOptions, addStepLimitOptions, parseJobs, type EvalLimitFlags, type StepLimitFlags } from './options.js';
import { chooseMode, createProgress } from './progress.js';
import { addSubstituteOptions, createSubstituter, type SubstituteFlags } from './substitution.js';

export interface ProfileFlags {
  profile?: string;
  dryRun?: boolean;
  json?: boolean;
}

export interface ProfileBuildFlags extends ProfileFlags, SubstituteFlags, EvalLimitFlags, StepLimitFlags {
  jobs?: number;
  keepGoing?: boolean;
  arg?: string[][];
  argstr?: string[][];
}

/** This installation's launcher script, which $WPM_HOME/bin/wpm leads to. */
export const WPM_SCRIPT = path.join(WPM_ROOT, 'bin', 'wpm.js');

/** `--profile` (and, for a command that changes the profile, `--dry-run`). */
export function addProfileOptions(cmd: Command, opts: { changes: boolean }): Command {
  cmd.option('-p, --profile <name|path>', `the profile: a name under $WPM_HOME/profiles, or a path (default: ${DEFAULT_PROFILE})`);
  if (opts.changes) cmd.option('-n, --dry-run', 'say what would change, change nothing');
  return cmd;
}

/** The options of a command that builds what it installs. */
export function addBuildOptions(cmd: Command): Command {
  cmd
    .option('-j, --jobs <n>', 'steps to run at once (default: cores, or WPM_MAX_JOBS)', parseJobs)
    .option('-k, --keep-going', 'keep building independent steps after a failure')
    .option('--json', 'build events as JSON lines on stderr, the outcome as JSON on stdout');
  addEvalArgOptions(cmd);
  addStepLimitOptions(cmd);
  return addSubstituteOptions(cmd);
}

export function openProfile(flags: ProfileFlags, store: LocalStore = openStore()): Profile {
  return Profile.open(store, flags.profile ?? DEFAULT_PROFILE);
}

const waiting = (profile: Profile) => () => process.stderr.write(`waiting for another wpm command changing profile ${profile.name}…\n`);

/** Evaluate and build as `wpm build` does (or, dry, say what it would build), and build generations. */
export async function commandBuilds(store: LocalStore, flags: ProfileBuildFlags): Promise<ProfileBuilds & { finish(): void }> {
  useBaselineCompilerOnly(); // build steps are toolchains: see runtime/wasi/module.ts
  const substituter = await createSubstituter(store, flags, { json: flags.json ?? false });
  return {
    build: async (target, dryRun) => {
      if (!dryRun) return buildForCommand(store, target.file, target.attrs, target.args, { ...flags, substituter });
      const plan = await dryRunForCommand(store, target.file, target.attrs, target.args, { ...flags, substituter });
      // With --json, one line per evaluation, before the outcome's line.
      printDryRun(plan, flags.json ?? false);
      return plan.targets;
    },
    realise: async (drvPath, derivations) => {
      const settings = commandSettings();
      const progress = createProgress(chooseMode(flags.json ?? false));
      try {
        const r = await interruptible((signal) =>
          realise(store, [drvPath], derivations, {
            jobs: flags.jobs ?? settings.maxJobs,
            keepGoing: false,
            limits: stepLimitsFrom(flags),
            onEvent: (e) => progress.onEvent(e),
            signal,
          }),
        );
        const failed = r.failed[0];
        if (failed) throw failed.error instanceof WpmError ? failed.error : new WpmError('ERR_BUILD_FAILED', String(failed.error));
      } finally {
        progress.finish();
      }
    },
    finish: () => substituter?.finish(),
  };
}

const VERBS = {
  install: ['installing', 'would install'],
  replace: ['replacing', 'would replace'],
  upgrade: ['upgrading', 'would upgrade'],
  remove: ['removing', 'would remove'],
} as const;

function describe(c: Change, dry: boolean): string {
  const verb = VERBS[c.kind][dry ? 1 : 0];
  switch (c.kind) {
    case 'install':
      return `${verb} ${c.name} (${c.to})`;
    case 'replace':
    case 'upgrade':
      return `${verb} ${c.name}: ${c.from} → ${c.to}`;
    case 'remove':
      return `${verb} ${c.name} (${c.from})`;
  }
}

/** Tell what a command did to the profile: each change, then the generation (or why there is none). */
export function reportOutcome(profile: Profile, o: Outcome, flags: ProfileFlags): void {
  if (flags.json) {
    process.stdout.write(JSON.stringify({ profile: profile.name, changes: o.changes, dryRun: o.dryRun, generation: o.generation ?? null }) + '\n');
  } else {
    for (const c of o.changes) process.stderr.write(describe(c, o.dryRun) + '\n');
    if (o.changes.length === 0) process.stderr.write(`nothing to do: profile ${profile.name} is unchanged\n`);
    else if (o.dryRun) process.stderr.write(`(dry run: profile ${profile.name} is unchanged)\n`);
    else process.stderr.write(`profile ${profile.name} is at generation ${o.generation!.number} (${o.generation!.path})\n`);
  }
  if (o.generation) ensureWpmLink(profile.store, WPM_SCRIPT);
  if (o.generation && o.first) pathHint(profile);
}

/** Once, when a profile gets its first generation: how to run what it holds by name. */
function pathHint(profile: Profile): void {
  const env = envScript(profile, profile.store.layout.bin, process.env).trimEnd();
  process.stderr.write(
    `\nTo run the installed programs by name, put the profile on PATH (in your shell's startup file):\n` +
      `  eval "$(wpm env${profile.name === DEFAULT_PROFILE ? '' : ` --profile ${profile.name}`})"\n` +
      `which runs:\n${env.split('\n').map((l) => `  ${l}`).join('\n')}\n` +
      `(wpm profile path prints the directory: ${profile.binDir})\n`,
  );
}

export { waiting };
