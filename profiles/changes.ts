// What a command does to a profile's manifest, as pure functions: install (a package of the same
// name is replaced, as `nix-env -i` does), remove, upgrade. Each says what changed, for the
// command to print and for --dry-run to stop at.
import { WpmError } from '../util/index.js';
import type { ManifestEntry, ProfileManifest } from '../runtime/builders/index.js';

export type Change =
  | { kind: 'install'; name: string; to: string }
  | { kind: 'replace'; name: string; from: string; to: string }
  | { kind: 'upgrade'; name: string; from: string; to: string }
  | { kind: 'remove'; name: string; from: string };

export interface Changed {
  manifest: ProfileManifest;
  changes: Change[];
}

const byName = (a: ManifestEntry, b: ManifestEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function withInstalled(m: ProfileManifest, entries: ManifestEntry[]): Changed {
  const names = new Map(m.packages.map((p) => [p.name, p]));
  const changes: Change[] = [];
  for (const e of entries) {
    const old = names.get(e.name);
    changes.push(old ? { kind: 'replace', name: e.name, from: old.outPath, to: e.outPath } : { kind: 'install', name: e.name, to: e.outPath });
    names.set(e.name, e);
  }
  return { manifest: { version: 1, packages: [...names.values()].sort(byName) }, changes };
}

/** The installed packages called `names`, or ERR_PROFILE_NOT_INSTALLED naming those that are not. */
export function requireInstalled(m: ProfileManifest, names: string[], profile: string): ManifestEntry[] {
  const missing = names.filter((n) => !m.packages.some((p) => p.name === n));
  if (missing.length > 0) {
    const installed = m.packages.map((p) => p.name);
    throw new WpmError('ERR_PROFILE_NOT_INSTALLED', `${missing.map((n) => `'${n}'`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed in profile ${profile}`, {
      hint: installed.length > 0 ? `installed: ${installed.join(', ')}` : 'the profile is empty',
    });
  }
  return m.packages.filter((p) => names.includes(p.name));
}

export function withRemoved(m: ProfileManifest, names: string[], profile: string): Changed {
  requireInstalled(m, names, profile);
  const drop = new Set(names);
  return {
    manifest: { version: 1, packages: m.packages.filter((p) => !drop.has(p.name)) },
    changes: m.packages.filter((p) => drop.has(p.name)).map((p) => ({ kind: 'remove', name: p.name, from: p.outPath })),
  };
}

/** Replace entries by their re-evaluated selves (by the old entry's name); unchanged ones are no change. */
export function withUpgraded(m: ProfileManifest, updated: Map<string, ManifestEntry>): Changed {
  const changes: Change[] = [];
  const packages = m.packages.map((p) => {
    const next = updated.get(p.name);
    if (!next || next.outPath === p.outPath) return p;
    changes.push({ kind: 'upgrade', name: p.name, from: p.outPath, to: next.outPath });
    // The name is the user's handle on it, even if the derivation's own name changed.
    return { ...next, name: p.name };
  });
  return { manifest: { version: 1, packages: packages.sort(byName) }, changes };
}
