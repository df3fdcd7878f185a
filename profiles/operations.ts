// What the profile commands do: install, remove, upgrade, switch, delete generations. Each reads
// the current manifest under the profile's lock, works out the changes, and (unless a dry run)
// builds the new generation and switches to it. Evaluating and building are the caller's
// (`ProfileBuilds`): the CLI brings its progress, substituters and Ctrl-C.
import fs from 'node:fs';
import { WpmError } from '../util/index.js';
import type { EvalArg } from '../derivations/index.js';
import type { EvalTarget, Target } from '../glue/index.js';
import { readDerivation } from '../runtime/scheduler/index.js';
import type { CwdAccess, GrantedDir, ManifestEntry, ProfileManifest } from '../runtime/builders/index.js';
import { requireInstalled, withInstalled, withRemoved, withUpgraded, type Change, type Changed } from './changes.js';
import { buildGeneration, type Realise } from './generation.js';
import type { Generation, Profile } from './profile.js';

export interface ProfileBuilds {
  /** Evaluate a file's attributes and build them; with `dryRun`, evaluate only (and show what building would do). */
  build(target: EvalTarget, dryRun: boolean): Promise<Target[]>;
  realise: Realise;
}

export interface InstallRequest {
  target: EvalTarget;
  priority: number;
  cwd: CwdAccess;
  dirs: GrantedDir[];
}

export interface OperationOptions {
  dryRun: boolean;
  /** Told once if another command holds the profile's lock. */
  onWait?: () => void;
}

export interface Outcome {
  changes: Change[];
  /** The generation switched to; none for a dry run or when nothing changed. */
  generation?: Generation;
  /** The profile had no generation before. */
  first: boolean;
  dryRun: boolean;
}

/** Install packages (replacing installed ones of the same name). */
export async function install(profile: Profile, requests: InstallRequest[], builds: ProfileBuilds, opts: OperationOptions): Promise<Outcome> {
  return locked(profile, opts, async (current) => {
    const entries: ManifestEntry[] = [];
    for (const r of requests) {
      const targets = await builds.build(r.target, opts.dryRun);
      for (const t of targets) entries.push(entryFor(profile, t, r.target, { priority: r.priority, cwd: r.cwd, dirs: r.dirs }));
    }
    const clash = entries.find((e, i) => entries.findIndex((f) => f.name === e.name) !== i);
    if (clash) throw new WpmError('ERR_USAGE', `two of the packages to install are called '${clash.name}'`, { hint: 'install them one at a time: the second replaces the first' });
    return commit(profile, withInstalled(current, entries), builds, opts);
  });
}

/** Remove packages by name. */
export async function remove(profile: Profile, names: string[], builds: ProfileBuilds, opts: OperationOptions): Promise<Outcome> {
  return locked(profile, opts, async (current) => commit(profile, withRemoved(current, names, profile.name), builds, opts));
}

/** Evaluate again the files installed packages came from (all, or those named) and install what changed. */
export async function upgrade(profile: Profile, names: string[] | undefined, builds: ProfileBuilds, opts: OperationOptions): Promise<Outcome> {
  return locked(profile, opts, async (current) => {
    const chosen = names === undefined ? current.packages : requireInstalled(current, names, profile.name);
    // One evaluation per file and arguments, for all its attributes.
    const groups = new Map<string, ManifestEntry[]>();
    for (const p of chosen) {
      const key = JSON.stringify([p.file, p.args]);
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    const updated = new Map<string, ManifestEntry>();
    for (const entries of groups.values()) {
      const { file, args } = entries[0]!;
      if (!fs.existsSync(file)) {
        throw new WpmError('ERR_PROFILE_PACKAGE', `cannot upgrade ${entries.map((e) => `'${e.name}'`).join(', ')}: ${file}, which ${entries.length === 1 ? 'it' : 'they'} came from, is gone`, {
          hint: 'install it again from where it is now, or remove it',
        });
      }
      const target: EvalTarget = { file, attrs: entries.some((e) => e.attr === '') ? [] : entries.map((e) => e.attr), args: args as EvalArg[] };
      const targets = await builds.build(target, opts.dryRun);
      for (const e of entries) {
        const t = e.attr === '' ? (targets.length === 1 ? targets[0] : undefined) : targets.find((x) => x.attr === e.attr);
        if (!t) throw new WpmError('ERR_PROFILE_PACKAGE', `cannot upgrade '${e.name}': ${file} no longer gives ${e.attr === '' ? 'one derivation' : `the attribute ${e.attr}`}`);
        updated.set(e.name, entryFor(profile, t, target, e));
      }
    }
    return commit(profile, withUpgraded(current, updated), builds, opts);
  });
}

/** Switch to generation `n`, or with 'previous' to the one before the current (`wpm rollback`). */
export async function switchGeneration(profile: Profile, n: number | 'previous', opts: OperationOptions): Promise<{ from?: Generation; to: Generation }> {
  const lock = await profile.lock(opts.onWait);
  try {
    const all = profile.generations();
    const from = all.find((g) => g.current);
    let to: Generation | undefined;
    if (n === 'previous') {
      if (!from) throw new WpmError('ERR_PROFILE_NO_GENERATION', `profile ${profile.name} has no generations`);
      to = [...all].reverse().find((g) => g.number < from.number && g.path !== undefined);
      if (!to) throw new WpmError('ERR_PROFILE_NO_GENERATION', `generation ${from.number} is the oldest of profile ${profile.name}: there is nothing to roll back to`);
    } else {
      to = all.find((g) => g.number === n);
      if (!to) throw new WpmError('ERR_PROFILE_NO_GENERATION', `profile ${profile.name} has no generation ${n}`, { hint: all.length > 0 ? `it has ${all.map((g) => g.number).join(', ')}` : 'it has none' });
    }
    if (!opts.dryRun) to = profile.switchTo(to.number);
    return { ...(from ? { from } : {}), to };
  } finally {
    lock.release();
  }
}

/** Delete generations by number, or those made more than `olderThanMs` ago; never the current one. */
export async function deleteGenerations(profile: Profile, which: { numbers?: number[]; olderThanMs?: number }, opts: OperationOptions): Promise<Generation[]> {
  const lock = await profile.lock(opts.onWait);
  try {
    const all = profile.generations();
    let doomed: Generation[];
    if (which.olderThanMs !== undefined) {
      const before = Date.now() - which.olderThanMs;
      doomed = all.filter((g) => !g.current && g.createdMs < before);
    } else {
      const numbers = which.numbers ?? [];
      doomed = numbers.map((n) => {
        const g = all.find((x) => x.number === n);
        if (!g) throw new WpmError('ERR_PROFILE_NO_GENERATION', `profile ${profile.name} has no generation ${n}`);
        if (g.current) throw new WpmError('ERR_PROFILE_CURRENT', `generation ${n} is the current generation of profile ${profile.name}`, { hint: 'switch to another one first (wpm rollback)' });
        return g;
      });
    }
    if (!opts.dryRun) profile.deleteGenerations(doomed.map((g) => g.number));
    return doomed;
  } finally {
    lock.release();
  }
}

async function locked(profile: Profile, opts: OperationOptions, f: (current: ProfileManifest) => Promise<Outcome>): Promise<Outcome> {
  const lock = await profile.lock(opts.onWait);
  try {
    return await f(profile.manifest());
  } finally {
    lock.release();
  }
}

/** Build and switch to the generation of the changed manifest, unless nothing changed or it is a dry run. */
async function commit(profile: Profile, changed: Changed, builds: ProfileBuilds, opts: OperationOptions): Promise<Outcome> {
  const first = profile.current() === undefined;
  if (opts.dryRun || changed.changes.length === 0) return { changes: changed.changes, first, dryRun: opts.dryRun };
  const storePath = await buildGeneration(profile.store, changed.manifest, builds.realise);
  return { changes: changed.changes, generation: profile.addGeneration(storePath), first, dryRun: false };
}

function entryFor(profile: Profile, t: Target, target: EvalTarget, how: { priority: number; cwd: CwdAccess; dirs: GrantedDir[] }): ManifestEntry {
  const outPath = t.outputs.out ?? Object.values(t.outputs)[0]!;
  return {
    name: readDerivation(profile.store, t.drvPath).name,
    outPath,
    file: target.file,
    attr: t.attr,
    args: target.args.map((a) => ({ name: a.name, value: a.value, code: a.code })),
    priority: how.priority,
    cwd: how.cwd,
    dirs: how.dirs,
  };
}
