// A profile generation's manifest (share/wpm/manifest.json) and its launchers' configuration
// (share/wpm/launchers/NAME.json): what builtin:buildenv takes on stdin and writes, what
// `wpm list` and `wpm upgrade` read back, and what `wpm run --launcher` reads. Checked field by
// field, naming the field: a generation's manifest may come from an older wpm or a hand-made .drv.
import { WpmError } from '../../../util/index.js';
import { isStorePath } from '../../../store/index.js';

export const MANIFEST_FILE = 'share/wpm/manifest.json';
export const LAUNCHERS_DIR = 'share/wpm/launchers';
/** Where a package may put nothing: the profile's own files. */
export const RESERVED_DIR = 'share/wpm';

/** Nix's default priority: lower numbers win a collision. */
export const DEFAULT_PRIORITY = 5;

/** What a program sees of the current directory: read-write (the default), read-only, nothing. */
export type CwdAccess = 'rw' | 'ro' | 'none';

/** A host directory granted to a program, at `guest` inside its world. */
export interface GrantedDir {
  host: string;
  guest: string;
  writable: boolean;
}

/** One installed package. */
export interface ManifestEntry {
  /** The derivation's name: what `wpm remove` and `wpm upgrade` take. */
  name: string;
  /** Its output, merged into the profile. */
  outPath: string;
  /** The Jsonnet file (or directory) it was evaluated from, absolute, and the attribute (`''`: the file's value). */
  file: string;
  attr: string;
  /** Top-level arguments it was evaluated with (`--arg`, `--argstr`). */
  args: { name: string; value: string; code: boolean }[];
  priority: number;
  /** What its programs see besides their own closure. */
  cwd: CwdAccess;
  dirs: GrantedDir[];
}

export interface ProfileManifest {
  version: 1;
  packages: ManifestEntry[];
}

/** What a launcher runs: share/wpm/launchers/NAME.json beside bin/NAME. */
export interface LauncherConfig {
  version: 1;
  /** argv[0] of the program. */
  name: string;
  /** The package it came from. */
  package: string;
  /** The program's store path (a .wasm module or component inside the package). */
  program: string;
  cwd: CwdAccess;
  dirs: GrantedDir[];
}

export function emptyManifest(): ProfileManifest {
  return { version: 1, packages: [] };
}

const bad = (where: string, field: string, expected: string) =>
  new WpmError('ERR_PROFILE_MANIFEST', `${where}: ${field} must be ${expected}`);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseDirs(v: unknown, where: string, field: string): GrantedDir[] {
  if (!Array.isArray(v)) throw bad(where, field, 'an array');
  return v.map((d, i) => {
    const f = `${field}[${i}]`;
    if (!isObject(d) || typeof d.host !== 'string' || !d.host.startsWith('/') || typeof d.guest !== 'string' || !d.guest.startsWith('/') || typeof d.writable !== 'boolean') {
      throw bad(where, f, '{ host: absolute path, guest: absolute path, writable: boolean }');
    }
    return { host: d.host, guest: d.guest, writable: d.writable };
  });
}

function parseCwd(v: unknown, where: string, field: string): CwdAccess {
  if (v !== 'rw' && v !== 'ro' && v !== 'none') throw bad(where, field, "'rw', 'ro' or 'none'");
  return v;
}

/** A manifest from JSON (a generation's file, or builtin:buildenv's stdin), or ERR_PROFILE_MANIFEST naming the field. */
export function parseManifest(v: unknown, where: string): ProfileManifest {
  if (!isObject(v) || v.version !== 1) throw bad(where, 'version', '1');
  if (!Array.isArray(v.packages)) throw bad(where, 'packages', 'an array');
  const seen = new Set<string>();
  const packages = v.packages.map((p, i): ManifestEntry => {
    const f = (name: string) => `packages[${i}].${name}`;
    if (!isObject(p)) throw bad(where, `packages[${i}]`, 'an object');
    if (typeof p.name !== 'string' || p.name === '' || p.name.includes('/')) throw bad(where, f('name'), 'a package name');
    if (seen.has(p.name)) throw bad(where, f('name'), `unique ('${p.name}' is there twice)`);
    seen.add(p.name);
    if (typeof p.outPath !== 'string' || !isStorePath(p.outPath)) throw bad(where, f('outPath'), 'a store path');
    if (typeof p.file !== 'string' || !p.file.startsWith('/')) throw bad(where, f('file'), 'an absolute path');
    if (typeof p.attr !== 'string') throw bad(where, f('attr'), 'a string');
    if (!Array.isArray(p.args) || !p.args.every((a) => isObject(a) && typeof a.name === 'string' && typeof a.value === 'string' && typeof a.code === 'boolean')) {
      throw bad(where, f('args'), 'an array of { name, value, code }');
    }
    if (typeof p.priority !== 'number' || !Number.isSafeInteger(p.priority)) throw bad(where, f('priority'), 'a whole number');
    return {
      name: p.name,
      outPath: p.outPath,
      file: p.file,
      attr: p.attr,
      args: (p.args as { name: string; value: string; code: boolean }[]).map((a) => ({ name: a.name, value: a.value, code: a.code })),
      priority: p.priority,
      cwd: parseCwd(p.cwd, where, f('cwd')),
      dirs: parseDirs(p.dirs, where, f('dirs')),
    };
  });
  return { version: 1, packages };
}

/** A launcher's configuration, or ERR_LAUNCHER naming what is wrong. */
export function parseLauncherConfig(v: unknown, where: string): LauncherConfig {
  const wrong = (field: string, expected: string) => new WpmError('ERR_LAUNCHER', `${where}: ${field} must be ${expected}`);
  if (!isObject(v) || v.version !== 1) throw wrong('version', '1');
  if (typeof v.name !== 'string' || v.name === '') throw wrong('name', 'a program name');
  if (typeof v.package !== 'string') throw wrong('package', 'a package name');
  if (typeof v.program !== 'string' || !v.program.startsWith('/wpm/store/')) throw wrong('program', 'a store path');
  try {
    return { version: 1, name: v.name, package: v.package, program: v.program, cwd: parseCwd(v.cwd, where, 'cwd'), dirs: parseDirs(v.dirs, where, 'dirs') };
  } catch (cause) {
    throw new WpmError('ERR_LAUNCHER', (cause as Error).message, { cause });
  }
}

/** The manifest as a generation stores it: packages by name, two-space JSON. */
export function manifestText(m: ProfileManifest): string {
  const packages = [...m.packages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return JSON.stringify({ version: 1, packages }, null, 2) + '\n';
}
