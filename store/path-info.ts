// What the store knows about a valid path. Kept as one JSON file per path; the file's existence is
// what makes the path valid, so it is always written last and atomically.
import { STORE_DIR, isStorePath } from './format/index.js';

export interface PathInfo {
  /** Logical store path, /wpm/store/<hash>-<name>. */
  path: string;
  /** sha256 of the NAR serialisation, `sha256:<nix32>`. */
  narHash: string;
  narSize: number;
  /** Store paths this one refers to (possibly itself), sorted. */
  references: string[];
  /** The `.drv` that built it, if any. */
  deriver?: string;
  /** Nix-format signatures `keyname:base64`. */
  signatures: string[];
  /** Content address, e.g. `text:sha256:…` or `fixed:r:sha256:…`, for content-addressed paths. */
  ca?: string;
}

/**
 * Parse an info file's text, checking the shape GC, verify and substitution rely on: that it names
 * a store path with the file's hash part, and the types of its fields. Throws an Error saying what
 * is wrong; the caller names the file.
 */
export function parsePathInfo(text: string, hashPart: string): PathInfo {
  const info = JSON.parse(text) as Partial<PathInfo> | null;
  if (typeof info !== 'object' || info === null || Array.isArray(info)) throw new Error('it is not a JSON object');
  if (typeof info.path !== 'string' || !isStorePath(info.path) || !info.path.startsWith(`${STORE_DIR}/${hashPart}-`)) {
    throw new Error(`it names ${JSON.stringify(info.path)}, not a store path with hash part ${hashPart}`);
  }
  if (typeof info.narHash !== 'string') throw new Error('narHash is not a string');
  if (!Number.isSafeInteger(info.narSize) || info.narSize! < 0) throw new Error('narSize is not a size');
  if (!Array.isArray(info.references) || !info.references.every((r) => typeof r === 'string' && isStorePath(r))) {
    throw new Error('references is not a list of store paths');
  }
  if (!Array.isArray(info.signatures) || !info.signatures.every((s) => typeof s === 'string')) {
    throw new Error('signatures is not a list of strings');
  }
  for (const field of ['deriver', 'ca'] as const) {
    if (info[field] !== undefined && typeof info[field] !== 'string') throw new Error(`${field} is not a string`);
  }
  return info as PathInfo;
}
