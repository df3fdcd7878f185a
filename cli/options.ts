// Options shared by commands that evaluate Jsonnet.
import { InvalidArgumentError, type Command } from 'commander';
import type { EvalArg } from '../derivations/index.js';
import { WpmError } from '../util/index.js';

const pair = (v: string, prev: string[][] | undefined, ...rest: string[]) => [...(prev ?? []), [v, ...rest]];

/** `-A ATTR`, repeatable: the attribute paths to evaluate (undefined when none; see `attrsFrom`). */
export function addAttrOption(cmd: Command, what = 'attribute path'): Command {
  // No default value: commander would print it in the help as "(default: [])".
  return cmd.option('-A, --attr <attr>', `${what} (repeatable)`, (v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
}

export function attrsFrom(flags: { attr?: string[] }): string[] {
  return flags.attr ?? [];
}

export function addEvalArgOptions(cmd: Command): Command {
  return cmd
    .option('--arg <name=code>', 'pass a Jsonnet top-level argument as code (repeatable)', (v: string, prev?: string[][]) => pair(v, prev))
    .option('--argstr <name=value>', 'pass a Jsonnet top-level argument as a string (repeatable)', (v: string, prev?: string[][]) => pair(v, prev));
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
