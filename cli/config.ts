// Settings: command-line flags over environment variables over the config file over defaults.
// The file is $XDG_CONFIG_HOME/wpm/wpm.conf (else ~/.config/wpm/wpm.conf), in nix.conf style:
//   # comment
//   max-jobs = 4
//   substituters = https://cache.example.org file:///srv/cache
// Lists are separated by white space. Unknown keys are an error that names the file and line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WpmError } from '../util/index.js';

export interface Settings {
  maxJobs: number;
  keepGoing: boolean;
  substituters: string[];
  trustedPublicKeys: string[];
  requiredSignatures: number;
  /** Seconds to wait for a binary cache before treating it as a miss. */
  substituteTimeout: number;
  /** Seconds without data after which a builtin:fetch download fails. */
  fetchTimeout: number;
}

type Key =
  | 'max-jobs'
  | 'keep-going'
  | 'substituters'
  | 'trusted-public-keys'
  | 'required-signatures'
  | 'substitute-timeout'
  | 'fetch-timeout';

/** Each setting's environment variable, and what it means (for `wpm --help`). */
const SETTINGS: Record<Key, { env: string; help: string }> = {
  'max-jobs': { env: 'WPM_MAX_JOBS', help: 'default for -j' },
  'keep-going': { env: 'WPM_KEEP_GOING', help: 'default for --keep-going (true or false)' },
  substituters: { env: 'WPM_SUBSTITUTERS', help: 'binary caches to substitute from (space- or comma-separated URLs)' },
  'trusted-public-keys': { env: 'WPM_TRUSTED_PUBLIC_KEYS', help: 'keys whose signatures are trusted' },
  'required-signatures': { env: 'WPM_REQUIRED_SIGNATURES', help: 'how many trusted signatures a download needs' },
  'substitute-timeout': { env: 'WPM_SUBSTITUTE_TIMEOUT', help: 'seconds a cache may take to answer' },
  'fetch-timeout': { env: 'WPM_FETCH_TIMEOUT', help: 'seconds without data before a download fails' },
};

/** The settings' lines of `wpm --help`'s environment list. */
export function settingsHelp(indent: string, width: number): string {
  return Object.values(SETTINGS)
    .map((s) => `${indent}${s.env.padEnd(width)}${s.help}`)
    .join('\n');
}

export function configFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(base, 'wpm', 'wpm.conf');
}

function readFile(file: string): Partial<Record<Key, { value: string; where: string }>> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const out: Partial<Record<Key, { value: string; where: string }>> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const eq = line.indexOf('=');
    const where = `${file}:${i + 1}`;
    if (eq < 0) throw new WpmError('ERR_CONFIG', `${where}: expected 'key = value'`);
    const key = line.slice(0, eq).trim();
    if (!(key in SETTINGS)) throw new WpmError('ERR_CONFIG', `${where}: unknown setting '${key}'`, { hint: `known settings: ${Object.keys(SETTINGS).join(', ')}` });
    out[key as Key] = { value: line.slice(eq + 1).trim(), where };
  });
  return out;
}

function parseCount(value: string, where: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new WpmError('ERR_CONFIG', `${where}: expected a whole number ≥ ${min}, got '${value}'`);
  return n;
}

function parseBool(value: string, where: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0' || value === '') return false;
  throw new WpmError('ERR_CONFIG', `${where}: expected true or false, got '${value}'`);
}

/** A list setting or flag: items separated by spaces or commas. */
export const splitList = (v: string): string[] => v.split(/[\s,]+/).filter((x) => x !== '');

/** Settings from the environment and the config file; flags are applied by each command on top. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const file = readFile(configFile(env));
  const get = (key: Key): { value: string; where: string } | undefined => {
    const name = SETTINGS[key].env;
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, where: `$${name}` };
    return file[key];
  };
  const jobs = get('max-jobs');
  const keepGoing = get('keep-going');
  const subs = get('substituters');
  const keys = get('trusted-public-keys');
  const sigs = get('required-signatures');
  const timeout = get('substitute-timeout');
  const fetchTimeout = get('fetch-timeout');
  return {
    maxJobs: jobs ? parseCount(jobs.value, jobs.where, 1) : os.availableParallelism(),
    keepGoing: keepGoing ? parseBool(keepGoing.value, keepGoing.where) : false,
    substituters: subs ? splitList(subs.value) : [],
    trustedPublicKeys: keys ? splitList(keys.value) : [],
    requiredSignatures: sigs ? parseCount(sigs.value, sigs.where, 0) : 1,
    substituteTimeout: timeout ? parseCount(timeout.value, timeout.where, 1) : 10,
    fetchTimeout: fetchTimeout ? parseCount(fetchTimeout.value, fetchTimeout.where, 1) : 60,
  };
}

let cached: Settings | undefined;

/** This process's settings, read once: one command asks for them in several places. */
export function commandSettings(): Settings {
  return (cached ??= loadSettings());
}
