// Options shared by commands that evaluate Jsonnet.
import { InvalidArgumentError, type Command } from 'commander';
import type { EvalArg } from '../derivations/index.js';
import { WpmError, parseSize } from '../util/index.js';

const pair = (v: string, prev: string[][] | undefined, ...rest: string[]) => [...(prev ?? []), [v, ...rest]];

/** `-A ATTR`, repeatable: the attribute paths to evaluate (undefined when none; see `attrsFrom`). */
export function addAttrOption(cmd: Command, what = 'attribute path'): Command {
  // No default value: commander would print it in the help as "(default: [])".
  return cmd.option('-A, --attr <attr>', `${what} (repeatable)`, (v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
}

export function attrsFrom(flags: { attr?: string[] }): string[] {
  return flags.attr ?? [];
}

/** Top-level arguments and the evaluation's limits: the options of every command that evaluates. */
export function addEvalArgOptions(cmd: Command): Command {
  return cmd
    .option('--arg <name=code>', 'pass a Jsonnet top-level argument as code (repeatable)', (v: string, prev?: string[][]) => pair(v, prev))
    .option('--argstr <name=value>', 'pass a Jsonnet top-level argument as a string (repeatable)', (v: string, prev?: string[][]) => pair(v, prev))
    .option('--eval-timeout <seconds>', 'stop an evaluation that takes longer (default 600, or eval-timeout)', positiveInt)
    .option('--max-eval-memory <size>', 'stop an evaluation that uses more memory, e.g. 4G (or max-eval-memory)', sizeArg)
    .option('--max-stack <frames>', "the Jsonnet evaluator's stack limit (default 500, or max-stack)", positiveInt);
}

/** The limits of the steps a command builds: flags over settings (cli/context.ts). */
export function addStepLimitOptions(cmd: Command): Command {
  return cmd
    .option('--timeout <seconds>', 'stop a step that runs longer (0: no limit; default: timeout, none)', wholeNumber)
    .option('--max-silent-time <seconds>', 'stop a step that writes nothing to its log for this long (default: max-silent-time, 1800)', wholeNumber)
    .option('--max-log-size <size>', "stop a step whose log grows past this, e.g. 64M (default: max-log-size, 64M)", limitSize)
    .option('--max-output-size <size>', 'stop a step that writes more than this, e.g. 4G (default: max-output-size, 4G)', limitSize);
}

export interface StepLimitFlags {
  timeout?: number;
  maxSilentTime?: number;
  maxLogSize?: number;
  maxOutputSize?: number;
}

function wholeNumber(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expects a whole number (0: no limit)');
  return n;
}

function limitSize(v: string): number {
  if (v.trim() === '0') return 0;
  return sizeArg(v);
}

/** What the limit flags give; settings fill in the rest (cli/context.ts). */
export interface EvalLimitFlags {
  evalTimeout?: number;
  maxEvalMemory?: number;
  maxStack?: number;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expects a positive whole number');
  return n;
}

export function sizeArg(v: string): number {
  const n = parseSize(v);
  if (n === undefined) throw new InvalidArgumentError('expects a size such as 512M or 4G');
  return n;
}

function splitPair(raw: string, flag: string): [string, string] {
  const eq = raw.indexOf('=');
  // A WpmError, not commander's InvalidArgumentError: this runs in the action, after parsing,
  // where commander would not print its message.
  if (eq <= 0) throw new WpmError('ERR_USAGE', `${flag} expects NAME=VALUE, got '${raw}'`);
  return [raw.slice(0, eq), raw.slice(eq + 1)];
}

export function evalArgsFrom(flags: { arg?: string[][]; argstr?: string[][] }): EvalArg[] {
  const args: EvalArg[] = [];
  for (const [raw] of flags.arg ?? []) {
    const [name, value] = splitPair(raw!, '--arg');
    args.push({ name, value, code: true });
  }
  for (const [raw] of flags.argstr ?? []) {
    const [name, value] = splitPair(raw!, '--argstr');
    args.push({ name, value, code: false });
  }
  return args;
}

export function parseJobs(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expects a positive whole number');
  return n;
}
