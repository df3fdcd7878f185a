// Settings: command-line flags over environment variables over the config file over defaults.
// The file is $XDG_CONFIG_HOME/wpm/wpm.conf (else ~/.config/wpm/wpm.conf), in nix.conf style:
//   # comment
//   max-jobs = 4
//   substituters = https://cache.example.org file:///srv/cache
// Lists are separated by white space. Unknown keys are an error that names the file and line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WpmError, parseSize } from '../util/index.js';
import { DEFAULT_LOG_BYTES, DEFAULT_OUTPUT_BYTES } from '../runtime/builders/limits.js';

export interface Settings {
  maxJobs: number;
  keepGoing: boolean;
  substituters: string[];
  trustedPublicKeys: string[];
  requiredSignatures: number;
  /** Seconds to wait for a binary cache before treating it as a miss. */
  substituteTimeout: number;
  /** NARs downloaded and unpacked at once. */
  maxSubstitutionJobs: number;
  /** Seconds without data after which a builtin:fetch download fails. */
  fetchTimeout: number;
  /** Seconds an evaluation may take. */
  evalTimeout: number;
  /** Bytes of memory the process may use while it evaluates. */
  maxEvalMemory: number;
  /** libjsonnet's stack limit, in frames. */
  maxStack: number;
  /** A step's limits: seconds, seconds without log output, bytes of log, bytes of output; 0 is none. */
  timeout: number;
  maxSilentTime: number;
  maxLogSize: number;
  maxOutputSize: number;
  /** GC keeps the outputs of live derivations: a live result's whole build (default true, unlike Nix). */
  keepOutputs: boolean;
  /** GC keeps the `.drv` files that built live paths (default true, as Nix). */
  keepDerivations: boolean;
  /** Keep V8's compiled WebAssembly code in $WPM_HOME/cache/wasm-code (runtime/wasi/code-cache/). */
  wasmCodeCache: boolean;
  /** Bound of that directory, in MiB. */
  wasmCodeCacheMiB: number;
  /** Remote execution (docs/remote.md); flags override each field (cli/remote-options.ts). */
  remote: RemoteConfig;
}

export interface RemoteConfig {
  /** Execution endpoint, grpc://HOST:PORT or grpcs://HOST[:PORT]. */
  url?: string;
  /** Cache-only endpoint (no execution). */
  cacheUrl?: string;
  instance?: string;
  /** 'NAME: VALUE' each. */
  headers: string[];
  upload: boolean;
  only: boolean;
  jobs?: number;
}

type Key =
  | 'max-jobs'
  | 'keep-going'
  | 'substituters'
  | 'trusted-public-keys'
  | 'required-signatures'
  | 'substitute-timeout'
  | 'max-substitution-jobs'
  | 'fetch-timeout'
  | 'eval-timeout'
  | 'max-eval-memory'
  | 'max-stack'
  | 'timeout'
  | 'max-silent-time'
  | 'max-log-size'
  | 'max-output-size'
  | 'remote'
  | 'remote-cache'
  | 'remote-instance'
  | 'remote-headers'
  | 'remote-upload'
  | 'remote-only'
  | 'remote-jobs'
  | 'keep-outputs'
  | 'keep-derivations'
  | 'wasm-code-cache'
  | 'wasm-code-cache-size';

/** Each setting's environment variable, and what it means (for `wpm --help`). */
const SETTINGS: Record<Key, { env: string; help: string }> = {
  'max-jobs': { env: 'WPM_MAX_JOBS', help: 'default for -j' },
  'keep-going': { env: 'WPM_KEEP_GOING', help: 'default for --keep-going (true or false)' },
  substituters: { env: 'WPM_SUBSTITUTERS', help: 'binary caches to substitute from (space- or comma-separated URLs)' },
  'trusted-public-keys': { env: 'WPM_TRUSTED_PUBLIC_KEYS', help: 'keys whose signatures are trusted' },
  'required-signatures': { env: 'WPM_REQUIRED_SIGNATURES', help: 'how many trusted signatures a download needs' },
  'substitute-timeout': { env: 'WPM_SUBSTITUTE_TIMEOUT', help: 'seconds a cache may take to answer' },
  'max-substitution-jobs': { env: 'WPM_MAX_SUBSTITUTION_JOBS', help: 'the most NARs downloaded at once (default 16; wpm starts with 4 and adds more while it waits on the network)' },
  'fetch-timeout': { env: 'WPM_FETCH_TIMEOUT', help: 'seconds without data before a download fails' },
  'eval-timeout': { env: 'WPM_EVAL_TIMEOUT', help: 'seconds an evaluation may take (default 600)' },
  'max-eval-memory': { env: 'WPM_MAX_EVAL_MEMORY', help: 'memory an evaluation may use, e.g. 4G (default: half the RAM, at most 8G)' },
  'max-stack': { env: 'WPM_MAX_STACK', help: "the Jsonnet evaluator's stack limit in frames (default 500)" },
  timeout: { env: 'WPM_TIMEOUT', help: 'seconds a build step may run (default 0: no limit)' },
  'max-silent-time': { env: 'WPM_MAX_SILENT_TIME', help: 'seconds a step may go without writing to its log (default 1800; 0: no limit)' },
  'max-log-size': { env: 'WPM_MAX_LOG_SIZE', help: "size a step's log may reach, e.g. 64M (default 64M; 0: no limit)" },
  'max-output-size': { env: 'WPM_MAX_OUTPUT_SIZE', help: 'size a step may write, e.g. 4G (default 4G; 0: no limit)' },
  remote: { env: 'WPM_REMOTE', help: 'remote execution server, grpc://HOST:PORT or grpcs://HOST[:PORT]' },
  'remote-cache': { env: 'WPM_REMOTE_CACHE', help: 'remote cache only (Action Cache + CAS), no execution' },
  'remote-instance': { env: 'WPM_REMOTE_INSTANCE', help: 'instance name on the remote server' },
  'remote-headers': { env: 'WPM_REMOTE_HEADERS', help: "headers for every remote call, 'NAME: VALUE' separated by ';'" },
  'remote-upload': { env: 'WPM_REMOTE_UPLOAD', help: 'upload results built locally to the remote cache (true or false)' },
  'remote-only': { env: 'WPM_REMOTE_ONLY', help: 'fail rather than build locally when the remote server cannot be used' },
  'remote-jobs': { env: 'WPM_REMOTE_JOBS', help: 'steps to run remotely at once' },
  'keep-outputs': { env: 'WPM_KEEP_OUTPUTS', help: "GC keeps what built each live result: toolchains, objects (default true)" },
  'keep-derivations': { env: 'WPM_KEEP_DERIVATIONS', help: 'GC keeps the .drv files of live paths (default true)' },
  'wasm-code-cache': { env: 'WPM_WASM_CODE_CACHE', help: 'keep compiled WebAssembly code between processes (true or false; default true)' },
  'wasm-code-cache-size': { env: 'WPM_WASM_CODE_CACHE_SIZE', help: 'bound of that cache in MiB (default 2048)' },
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

function parseSizeSetting(value: string, where: string): number {
  const n = parseSize(value);
  if (n === undefined) throw new WpmError('ERR_CONFIG', `${where}: expected a size such as 512M or 4G, got '${value}'`);
  return n;
}

/** Half the machine's memory, at most 8 GiB: generous for any package set, short of the OOM killer. */
export const DEFAULT_EVAL_MEMORY = Math.min(8 * 1024 ** 3, Math.floor(os.totalmem() / 2));

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
  const substituteTimeout = get('substitute-timeout');
  const substitutionJobs = get('max-substitution-jobs');
  const fetchTimeout = get('fetch-timeout');
  const evalTimeout = get('eval-timeout');
  const evalMemory = get('max-eval-memory');
  const maxStack = get('max-stack');
  const stepTimeout = get('timeout');
  const silent = get('max-silent-time');
  const logSize = get('max-log-size');
  const outputSize = get('max-output-size');
  const keepOutputs = get('keep-outputs');
  const keepDerivations = get('keep-derivations');
  const limitSize = (s: { value: string; where: string }) => (s.value.trim() === '0' ? 0 : parseSizeSetting(s.value, s.where));
  const remoteUpload = get('remote-upload');
  const remoteOnly = get('remote-only');
  const remoteJobs = get('remote-jobs');
  const remoteHeaders = get('remote-headers');
  const codeCache = get('wasm-code-cache');
  const codeCacheSize = get('wasm-code-cache-size');
  return {
    maxJobs: jobs ? parseCount(jobs.value, jobs.where, 1) : os.availableParallelism(),
    keepGoing: keepGoing ? parseBool(keepGoing.value, keepGoing.where) : false,
    substituters: subs ? splitList(subs.value) : [],
    trustedPublicKeys: keys ? splitList(keys.value) : [],
    requiredSignatures: sigs ? parseCount(sigs.value, sigs.where, 0) : 1,
    substituteTimeout: substituteTimeout ? parseCount(substituteTimeout.value, substituteTimeout.where, 1) : 10,
    maxSubstitutionJobs: substitutionJobs ? parseCount(substitutionJobs.value, substitutionJobs.where, 1) : 16,
    fetchTimeout: fetchTimeout ? parseCount(fetchTimeout.value, fetchTimeout.where, 1) : 60,
    evalTimeout: evalTimeout ? parseCount(evalTimeout.value, evalTimeout.where, 1) : 600,
    maxEvalMemory: evalMemory ? parseSizeSetting(evalMemory.value, evalMemory.where) : DEFAULT_EVAL_MEMORY,
    maxStack: maxStack ? parseCount(maxStack.value, maxStack.where, 1) : 500,
    timeout: stepTimeout ? parseCount(stepTimeout.value, stepTimeout.where, 0) : 0,
    maxSilentTime: silent ? parseCount(silent.value, silent.where, 0) : 1800,
    maxLogSize: logSize ? limitSize(logSize) : DEFAULT_LOG_BYTES,
    maxOutputSize: outputSize ? limitSize(outputSize) : DEFAULT_OUTPUT_BYTES,
    remote: {
      ...(get('remote')?.value ? { url: get('remote')!.value } : {}),
      ...(get('remote-cache')?.value ? { cacheUrl: get('remote-cache')!.value } : {}),
      ...(get('remote-instance')?.value ? { instance: get('remote-instance')!.value } : {}),
      headers: remoteHeaders ? remoteHeaders.value.split(';').map((h) => h.trim()).filter((h) => h !== '') : [],
      upload: remoteUpload ? parseBool(remoteUpload.value, remoteUpload.where) : false,
      only: remoteOnly ? parseBool(remoteOnly.value, remoteOnly.where) : false,
      ...(remoteJobs ? { jobs: parseCount(remoteJobs.value, remoteJobs.where, 1) } : {}),
    },
    // Unlike Nix (false): a rebuild here is slow WebAssembly, so the edit loop stays warm across GCs.
    keepOutputs: keepOutputs ? parseBool(keepOutputs.value, keepOutputs.where) : true,
    keepDerivations: keepDerivations ? parseBool(keepDerivations.value, keepDerivations.where) : true,
    wasmCodeCache: codeCache ? parseBool(codeCache.value, codeCache.where) : true,
    wasmCodeCacheMiB: codeCacheSize ? parseCount(codeCacheSize.value, codeCacheSize.where, 1) : 2048,
  };
}

let cached: Settings | undefined;

/** This process's settings, read once: one command asks for them in several places. */
export function commandSettings(): Settings {
  return (cached ??= loadSettings());
}
