// wpm install FILE [-A ATTR]... | NAME... : build packages and make a new generation of the
// profile holding them (replacing installed packages of the same name), with a launcher in its
// bin/ for each program. A NAME that is no file is a package of wpm's own package set.
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { WpmError } from '../../util/index.js';
import { DEFAULT_PRIORITY, type CwdAccess } from '../../runtime/builders/index.js';
import { install, type InstallRequest } from '../../profiles/index.js';
import { WPM_ROOT, openStore } from '../context.js';
import { collect, parseDir } from '../dirs.js';
import { addAttrOption, attrsFrom, evalArgsFrom } from '../options.js';
import { addBuildOptions, addProfileOptions, commandBuilds, openProfile, reportOutcome, waiting, type ProfileBuildFlags } from '../profile-context.js';

/** wpm's own package set, where `wpm install NAME` looks NAME up. */
export const PACKAGE_SET = path.join(WPM_ROOT, 'packages', 'default.jsonnet');

interface InstallFlags extends ProfileBuildFlags {
  attr?: string[];
  priority?: number;
  dir?: string[];
  cwd?: CwdAccess;
}

function cwdArg(v: string): CwdAccess {
  if (v !== 'rw' && v !== 'ro' && v !== 'none') throw new InvalidArgumentError("expects rw, ro or none");
  return v;
}

function priorityArg(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('expects a whole number (lower wins)');
  return n;
}

/** What to evaluate for the command's arguments: files (with -A), or names in the package set. */
export function installTargets(args: string[], attrs: string[]): { file: string; attrs: string[] }[] {
  const isFile = (a: string) => fs.existsSync(a);
  if (attrs.length > 0) {
    if (args.length > 1 || args.some((a) => !isFile(a))) {
      throw new WpmError('ERR_USAGE', '-A names attributes of one FILE: wpm install FILE -A ATTR…', { hint: 'to install packages of wpm\'s package set: wpm install NAME…' });
    }
    const file = args[0] ?? 'default.jsonnet';
    if (!isFile(file)) throw new WpmError('ERR_USAGE', `no FILE given, and ${path.resolve(file)} does not exist`);
    return [{ file: path.resolve(file), attrs }];
  }
  if (args.length === 0) throw new WpmError('ERR_USAGE', 'nothing to install: give FILE -A ATTR, or package names', { hint: 'wpm install hello b64' });
  const files = args.filter(isFile).map((f) => ({ file: path.resolve(f), attrs: [] as string[] }));
  const names = args.filter((a) => !isFile(a));
  for (const n of names) {
    if (n.includes('/') || n.endsWith('.jsonnet')) throw new WpmError('ERR_USAGE', `${n}: no such file`);
  }
  return [...files, ...(names.length > 0 ? [{ file: PACKAGE_SET, attrs: names }] : [])];
}

export function register(program: Command): void {
  const cmd = program
    .command('install')
    .description("build packages and install them in a profile: a new generation, with a launcher per program in its bin/")
    .argument('[what...]', "a Jsonnet FILE (with -A ATTR), or names of packages of wpm's package set")
    .option('--priority <n>', `which package wins when two provide the same file: the lower number (default ${DEFAULT_PRIORITY})`, priorityArg)
    .option('--dir <host[:guest]>', 'a host directory the programs may use, read-write (repeatable)', collect)
    .option('--cwd <access>', "what the programs see of the directory they run in: rw (default), ro or none", cwdArg);
  addAttrOption(cmd, 'attribute of FILE to install');
  addProfileOptions(cmd, { changes: true });
  addBuildOptions(cmd);
  cmd.action(async (what: string[], flags: InstallFlags) => {
    const store = openStore();
    const profile = openProfile(flags, store);
    const args = evalArgsFrom(flags);
    const dirs = (flags.dir ?? []).map(parseDir);
    const requests: InstallRequest[] = installTargets(what, attrsFrom(flags)).map((t) => ({
      target: { ...t, args: t.file === PACKAGE_SET ? [] : args },
      priority: flags.priority ?? DEFAULT_PRIORITY,
      cwd: flags.cwd ?? 'rw',
      dirs,
    }));
    const builds = await commandBuilds(store, flags);
    try {
      const outcome = await install(profile, requests, builds, { dryRun: flags.dryRun ?? false, onWait: waiting(profile) });
      reportOutcome(profile, outcome, flags);
    } finally {
      builds.finish();
    }
  });
}
