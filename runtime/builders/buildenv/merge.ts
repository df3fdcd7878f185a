// The merged tree of a profile generation: each installed package's files, as symlinks into the
// package. A directory only one package provides is one symlink; a directory several provide is
// made, and merged below. Two packages providing the same file is refused, naming both, unless
// their priorities differ (the lower number wins, as in Nix) or the files are identical.
//
// Links are relative (`../../<hash>-hello/bin/hello.wasm`): the generation lies in the same store
// directory as the packages, so they resolve on the host, wherever $WPM_HOME is, and in any view of
// /wpm/store alike, and scanning them finds the packages as references.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError } from '../../../util/index.js';
import { RESERVED_DIR } from './manifest.js';

/** A package as the merge sees it. */
export interface MergedPackage {
  name: string;
  priority: number;
  /** Its store path, and where that is on the host. */
  storePath: string;
  host: string;
}

interface Provider {
  pkg: MergedPackage;
  kind: 'dir' | 'file' | 'symlink';
}

/** What the generation holds at a relative path: a directory of its own, or a link into a package. */
export type MergeEntry = { kind: 'dir' } | { kind: 'link'; pkg: MergedPackage };

/** Made as real directories whoever provides them: the profile writes its launchers and files there. */
const OWN_DIRS = new Set(['bin', 'share']);

/** The merged tree, relative path → entry, every directory before what it holds. */
export function planMerge(packages: MergedPackage[]): Map<string, MergeEntry> {
  const plan = new Map<string, MergeEntry>();
  for (const pkg of packages) {
    if (!fs.lstatSync(pkg.host).isDirectory()) {
      throw new WpmError('ERR_PROFILE_PACKAGE', `cannot install '${pkg.name}': its output ${pkg.storePath} is a file, not a directory`, {
        hint: 'a package installs the files under its output (bin/NAME.wasm for a program)',
      });
    }
  }
  mergeDir('', packages.map((pkg) => ({ pkg, kind: 'dir' as const })), plan);
  return plan;
}

function mergeDir(rel: string, providers: Provider[], plan: Map<string, MergeEntry>): void {
  const names = new Set<string>();
  const listed = providers.map((p) => {
    const entries = fs.readdirSync(path.join(p.pkg.host, rel));
    for (const n of entries) names.add(n);
    return new Set(entries);
  });
  for (const name of [...names].sort()) {
    const child = rel === '' ? name : `${rel}/${name}`;
    const here: Provider[] = [];
    providers.forEach((p, i) => {
      if (!listed[i]!.has(name)) return;
      const st = fs.lstatSync(path.join(p.pkg.host, child));
      here.push({ pkg: p.pkg, kind: st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file' });
    });
    if (child === RESERVED_DIR || child.startsWith(RESERVED_DIR + '/')) {
      throw new WpmError('ERR_PROFILE_PACKAGE', `cannot install '${here[0]!.pkg.name}': it provides ${child}, where a profile keeps its own files (${here[0]!.pkg.storePath})`);
    }
    const winners = winnersOf(child, here);
    const own = OWN_DIRS.has(child);
    if (winners.length === 1 && !(own && winners[0]!.kind === 'dir')) {
      if (own) throw new WpmError('ERR_PROFILE_PACKAGE', `cannot install '${winners[0]!.pkg.name}': its ${child} is not a directory (${winners[0]!.pkg.storePath})`);
      plan.set(child, { kind: 'link', pkg: winners[0]!.pkg });
      continue;
    }
    plan.set(child, { kind: 'dir' });
    mergeDir(child, winners, plan);
  }
}

/** Who provides `rel`: all of them if all have a directory there, else the one with the lowest priority number. */
function winnersOf(rel: string, here: Provider[]): Provider[] {
  if (here.every((p) => p.kind === 'dir')) return here;
  const best = Math.min(...here.map((p) => p.pkg.priority));
  const top = here.filter((p) => p.pkg.priority === best);
  if (top.length === 1 || top.every((p) => p.kind === 'dir')) return top;
  if (top.every((p) => p.kind === 'file') && top.every((p) => sameFile(path.join(p.pkg.host, rel), path.join(top[0]!.pkg.host, rel)))) return [top[0]!];
  const [a, b] = top;
  throw new WpmError('ERR_PROFILE_COLLISION', `packages '${a!.pkg.name}' (${a!.pkg.storePath}) and '${b!.pkg.name}' (${b!.pkg.storePath}) both provide ${rel}`, {
    hint: `install one of them with --priority N (a lower number wins; both have ${best}), or remove one`,
  });
}

function sameFile(a: string, b: string): boolean {
  const sa = fs.statSync(a);
  const sb = fs.statSync(b);
  if (sa.size !== sb.size || (sa.mode & 0o111) !== (sb.mode & 0o111)) return false;
  return fs.readFileSync(a).equals(fs.readFileSync(b));
}

/** The relative target of the link at `rel` (inside the generation) to the same path in `pkg`. */
export function linkTarget(rel: string, pkg: MergedPackage): string {
  const depth = rel.split('/').length;
  return '../'.repeat(depth) + path.posix.basename(pkg.storePath) + '/' + rel;
}

/** Make the planned tree under `out` (a fresh directory). */
export function writeMerge(out: string, plan: Map<string, MergeEntry>): void {
  for (const [rel, entry] of plan) {
    const at = path.join(out, rel);
    if (entry.kind === 'dir') fs.mkdirSync(at);
    else fs.symlinkSync(linkTarget(rel, entry.pkg), at);
  }
}
