// The key of a cache entry: everything that decides whether compiled code is valid for this
// process. V8 checks its own part too (the header of its serialized code carries V8's version,
// the CPU features it compiled for and a hash of its flags) and refuses code that does not fit;
// the key keeps entries for different processes apart, so none overwrites another's, and makes
// a refusal a sign of something missing here rather than the normal way of telling entries apart.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';

/** Bumped when the entry format or the way entries are produced changes. */
export const CACHE_FORMAT = 1;

let cpu: string | undefined;

/**
 * The CPU's model and feature flags (V8 compiles for the features it finds: AVX, BMI, …). Linux
 * lists them in /proc/cpuinfo; elsewhere the model name is what is known.
 */
export function cpuFingerprint(): string {
  if (cpu !== undefined) return cpu;
  let text = '';
  try {
    text = fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux
  }
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  cpu = [os.arch(), field('model name') || os.cpus()[0]?.model || '', field('flags') || field('Features')].join('|');
  return cpu;
}

export interface KeyParts {
  /** sha256 (hex) of the module's bytes. */
  moduleSha: string;
  /** The V8 flags wpm set in this process, in the order it set them. */
  v8Flags: readonly string[];
}

/** Everything that goes into the key, as one canonical JSON text (kept in each entry's header). */
export function keyDescription(parts: KeyParts): string {
  return JSON.stringify({
    format: CACHE_FORMAT,
    module: parts.moduleSha,
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    cpu: cpuFingerprint(),
    flags: parts.v8Flags,
    // V8 flags can come from the command line and NODE_OPTIONS as well.
    execArgv: process.execArgv,
    nodeOptions: process.env.NODE_OPTIONS ?? '',
  });
}

/** The key: sha256 (hex) of the description, which names the entry's file. */
export function cacheKey(parts: KeyParts): string {
  return crypto.createHash('sha256').update(keyDescription(parts)).digest('hex');
}
