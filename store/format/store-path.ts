// Store-path computation, byte-compatible with Nix (see Nix's "store-path" docs): the path is
// `<storeDir>/<nix32(compress20(sha256(fingerprint)))>-<name>` where the fingerprint is
// `<type>:<algo>:<base16 inner hash>:<storeDir>:<name>`. Only the logical STORE_DIR is ever hashed.

import { WpmError } from '../../util/errors.js';
import { digestOnce } from './digest.js';
import { type Hash, hashBytes } from './hash.js';
import { isNix32Char } from './nix32.js';
import { nix32Encode } from './nix32.js';

export const STORE_DIR = '/wpm/store';

/** Characters in a store-path hash part: nix32 of 20 bytes. */
export const HASH_PART_LENGTH = 32;
/** Nix caps names so that `<hash>-<name>` fits in 255-byte file names with room for `.drv` etc. */
export const MAX_NAME_LENGTH = 211;

/** The characters a store path name may use (output names too, since they end up in one). */
export const NAME_CHARS = /^[a-zA-Z0-9+\-._?=]*$/;

export function validateStorePathName(name: string): void {
  const bad = (why: string) =>
    new WpmError('ERR_BAD_STORE_PATH_NAME', `invalid store path name '${name}': ${why}`, {
      hint: "names may use letters, digits and '+-._?=', must not start with '.', and have at most 211 characters",
    });
  if (name.length === 0) throw bad('it is empty');
  if (name.length > MAX_NAME_LENGTH) throw bad(`it is longer than ${MAX_NAME_LENGTH} characters`);
  if (name.startsWith('.')) throw bad("it starts with '.'");
  if (!NAME_CHARS.test(name)) throw bad('it contains a forbidden character');
}

/** Nix "compresses" the 32-byte SHA-256 to 20 bytes by XOR-folding: out[i mod 20] ^= h[i]. */
function compressHash(digest: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < digest.length; i++) out[i % size] ^= digest[i];
  return out;
}

function base16(h: Hash): string {
  return Buffer.from(h.digest).toString('hex');
}

export function makeStorePath(type: string, innerHash: Hash, name: string): string {
  validateStorePathName(name);
  const fingerprint = `${type}:${innerHash.algo}:${base16(innerHash)}:${STORE_DIR}:${name}`;
  const digest = digestOnce('sha256', fingerprint);
  return `${STORE_DIR}/${nix32Encode(compressHash(digest, 20))}-${name}`;
}

/** `type[:ref1:ref2...]` with references sorted, as Nix's makeType does (self-references not supported). */
function typeWithReferences(type: string, references: Iterable<string>): string {
  const refs = [...new Set(references)];
  for (const r of refs) parseStorePath(r);
  refs.sort();
  return [type, ...refs].join(':');
}

export function makeSourcePath(narHash: Hash, name: string, references: string[] = []): string {
  if (narHash.algo !== 'sha256') {
    throw new WpmError('ERR_BAD_HASH', `source paths need a sha256 NAR hash, got ${narHash.algo}`);
  }
  return makeStorePath(typeWithReferences('source', references), narHash, name);
}

export function makeTextPath(name: string, contents: Uint8Array | string, references: readonly string[] = []): string {
  return makeTextPathFromHash(name, hashBytes('sha256', contents), references);
}

/** makeTextPath for contents whose SHA-256 is already known (it is also the text object's `ca`). */
export function makeTextPathFromHash(name: string, contentHash: Hash, references: readonly string[] = []): string {
  return makeStorePath(typeWithReferences('text', references), contentHash, name);
}

export function outputPathName(drvName: string, outputName: string): string {
  return outputName === 'out' ? drvName : `${drvName}-${outputName}`;
}

export function makeOutputPath(drvHash: Hash, outputName: string, drvName: string): string {
  return makeStorePath(`output:${outputName}`, drvHash, outputPathName(drvName, outputName));
}

export function makeFixedOutputPath(
  method: 'flat' | 'recursive',
  hash: Hash,
  name: string,
  references: string[] = [],
): string {
  // Matches Nix: recursive SHA-256 is the common case and shares its path with `nix-store --add`.
  if (method === 'recursive' && hash.algo === 'sha256') return makeSourcePath(hash, name, references);
  if (references.length > 0) {
    throw new WpmError('ERR_BAD_FIXED_OUTPUT', 'only recursive sha256 fixed outputs may have references');
  }
  const inner = `fixed:out:${method === 'recursive' ? 'r:' : ''}${hash.algo}:${base16(hash)}:`;
  return makeStorePath('output:out', hashBytes('sha256', inner), name);
}

export interface ParsedStorePath {
  /** The 32 nix32 characters after the store directory. */
  hashPart: string;
  name: string;
  /** `<hashPart>-<name>`, the file name in the store directory. */
  baseName: string;
}

/** Does `path` parse as a store path (parseStorePath without the error)? */
export function isStorePath(path: string): boolean {
  try {
    parseStorePath(path);
    return true;
  } catch {
    return false;
  }
}

export function parseStorePath(path: string): ParsedStorePath {
  const bad = (why: string, cause?: unknown) =>
    new WpmError('ERR_BAD_STORE_PATH', `invalid store path '${path}': ${why}`, {
      hint: `store paths look like ${STORE_DIR}/<32 nix32 characters>-<name>`,
      cause,
    });
  const prefix = STORE_DIR + '/';
  if (!path.startsWith(prefix)) throw bad(`not in ${STORE_DIR}`);
  const baseName = path.slice(prefix.length);
  if (baseName.length < HASH_PART_LENGTH + 2 || baseName[HASH_PART_LENGTH] !== '-') {
    throw bad('no hash part');
  }
  const hashPart = baseName.slice(0, HASH_PART_LENGTH);
  for (let i = 0; i < HASH_PART_LENGTH; i++) {
    if (!isNix32Char(hashPart.charCodeAt(i))) throw bad('hash part is not nix32');
  }
  const name = baseName.slice(HASH_PART_LENGTH + 1);
  try {
    validateStorePathName(name);
  } catch (err) {
    throw bad('bad name', err);
  }
  return { hashPart, name, baseName };
}

/** A store path, or a file inside one: `/wpm/store/<hash>-<name>[/sub/path]`. */
export interface StoreRef {
  /** The store path itself. */
  storePath: string;
  /** Components of the path inside it; empty for the store path itself. */
  sub: string[];
}

/**
 * Parse what a derivation names as a store path or a file inside one, strictly: the store
 * directory, one valid store path name, then components that are neither empty, '.' nor '..'
 * (no trailing slash, no NUL). Nothing that a plain join could turn into a path elsewhere passes.
 */
export function parseStoreRef(ref: string): StoreRef {
  const bad = (why: string) =>
    new WpmError('ERR_BAD_STORE_PATH', `'${ref}' is not a store path or a file inside one: ${why}`, {
      hint: `store paths look like ${STORE_DIR}/<32 nix32 characters>-<name>, optionally followed by /<file>`,
    });
  if (!ref.startsWith(STORE_DIR + '/')) throw bad(`not in ${STORE_DIR}`);
  const parts = ref.slice(STORE_DIR.length + 1).split('/');
  const storePath = `${STORE_DIR}/${parts[0]}`;
  if (!isStorePath(storePath)) throw bad(`'${parts[0]}' is not a store path's name`);
  const sub = parts.slice(1);
  for (const p of sub) {
    if (p === '' || p === '.' || p === '..') throw bad(p === '' ? 'an empty component (a double or trailing slash)' : `a '${p}' component`);
    if (p.includes('\0')) throw bad('a NUL character');
  }
  return { storePath, sub };
}

export function isStoreRef(ref: string): boolean {
  try {
    parseStoreRef(ref);
    return true;
  } catch {
    return false;
  }
}
