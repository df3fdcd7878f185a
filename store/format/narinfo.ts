// The `.narinfo` file of a binary cache, in Nix's exact text format: one `Key: value` per line,
// written in the order Nix writes them, so a narinfo from wpm is byte-identical to one from Nix.
// References and Deriver are base names (no store directory), as in Nix.

import { WpmError } from '../../util/errors.js';
import { formatHash, parseHash } from './hash.js';
import { STORE_DIR, parseStorePath } from './store-path.js';

export interface NarInfo {
  /** Full store path, /wpm/store/<hash>-<name>. */
  storePath: string;
  /** Where the (possibly compressed) NAR is, relative to the cache root: `nar/<filehash>.nar.xz`. */
  url: string;
  /** `none`, `xz`, `bzip2`, `br`, `gzip`, `zstd`. */
  compression: string;
  /** sha256 of the file at `url`, `sha256:<nix32>`; absent when unknown (compressed on the fly). */
  fileHash?: string;
  fileSize?: number;
  /** sha256 of the uncompressed NAR, `sha256:<nix32>`. */
  narHash: string;
  narSize: number;
  /** Full store paths, sorted. */
  references: string[];
  /** Full store path of the deriver `.drv`. */
  deriver?: string;
  /** `keyname:base64`, in file order. */
  sigs: string[];
  ca?: string;
}

function corrupt(where: string, why: string): WpmError {
  return new WpmError('ERR_NARINFO_CORRUPT', `${where}: corrupt narinfo: ${why}`);
}

function parseSize(value: string, where: string, key: string): number {
  if (!/^[0-9]{1,15}$/.test(value)) throw corrupt(where, `${key} '${value}' is not a number`);
  return Number(value);
}

/** Any sha256 spelling Nix accepts, normalised to `sha256:<nix32>`. */
function normaliseSha256(value: string, where: string, key: string): string {
  let h;
  try {
    h = parseHash(value);
  } catch (err) {
    throw new WpmError('ERR_NARINFO_CORRUPT', `${where}: corrupt narinfo: bad ${key} '${value}'`, { cause: err });
  }
  if (h.algo !== 'sha256') throw corrupt(where, `${key} must be sha256, got ${h.algo}`);
  return formatHash(h, 'nix32');
}

function fullPath(base: string, where: string, key: string): string {
  const p = `${STORE_DIR}/${base}`;
  try {
    parseStorePath(p);
  } catch (err) {
    throw new WpmError('ERR_NARINFO_CORRUPT', `${where}: corrupt narinfo: bad ${key} '${base}'`, { cause: err });
  }
  return p;
}

/**
 * Parses a narinfo. `where` names its origin (a URL) in errors. Like Nix: unknown keys are
 * ignored, a missing Compression means bzip2, and StorePath, URL, NarHash and a non-zero NarSize
 * are required. The store path must be under /wpm/store.
 */
export function parseNarInfo(text: string, where: string): NarInfo {
  const fields = new Map<string, string>();
  const sigs: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const colon = line.indexOf(': ');
    if (colon <= 0) throw corrupt(where, `line '${line.slice(0, 80)}' is not 'Key: value'`);
    const key = line.slice(0, colon);
    const value = line.slice(colon + 2);
    if (key === 'Sig') sigs.push(value);
    else fields.set(key, value);
  }
  const storePath = fields.get('StorePath');
  if (storePath === undefined) throw corrupt(where, 'no StorePath');
  try {
    parseStorePath(storePath);
  } catch (err) {
    throw new WpmError('ERR_NARINFO_CORRUPT', `${where}: corrupt narinfo: bad StorePath '${storePath}'`, { cause: err });
  }
  const url = fields.get('URL');
  if (!url) throw corrupt(where, 'no URL');
  const narHashText = fields.get('NarHash');
  if (narHashText === undefined) throw corrupt(where, 'no NarHash');
  const narSizeText = fields.get('NarSize');
  if (narSizeText === undefined) throw corrupt(where, 'no NarSize');
  const narSize = parseSize(narSizeText, where, 'NarSize');
  if (narSize === 0) throw corrupt(where, 'NarSize is 0');
  const refsText = fields.get('References') ?? '';
  const references = refsText === '' ? [] : refsText.split(' ').map((r) => fullPath(r, where, 'reference'));
  const info: NarInfo = {
    storePath,
    url,
    compression: fields.get('Compression') || 'bzip2',
    narHash: normaliseSha256(narHashText, where, 'NarHash'),
    narSize,
    references: [...new Set(references)].sort(),
    sigs,
  };
  const fileHash = fields.get('FileHash');
  if (fileHash !== undefined) info.fileHash = normaliseSha256(fileHash, where, 'FileHash');
  const fileSize = fields.get('FileSize');
  if (fileSize !== undefined) info.fileSize = parseSize(fileSize, where, 'FileSize');
  const deriver = fields.get('Deriver');
  if (deriver && deriver !== 'unknown-deriver') info.deriver = fullPath(deriver, where, 'Deriver');
  const ca = fields.get('CA');
  if (ca) info.ca = ca;
  return info;
}

const baseName = (p: string) => p.slice(STORE_DIR.length + 1);

/** Nix's NarInfo::to_string, field for field (FileHash/FileSize only when known). */
export function formatNarInfo(info: NarInfo): string {
  let out = `StorePath: ${info.storePath}\nURL: ${info.url}\nCompression: ${info.compression}\n`;
  if (info.fileHash !== undefined) out += `FileHash: ${info.fileHash}\n`;
  if (info.fileSize !== undefined) out += `FileSize: ${info.fileSize}\n`;
  out += `NarHash: ${info.narHash}\nNarSize: ${info.narSize}\n`;
  out += `References: ${[...info.references].sort().map(baseName).join(' ')}\n`;
  if (info.deriver) out += `Deriver: ${baseName(info.deriver)}\n`;
  for (const sig of info.sigs) out += `Sig: ${sig}\n`;
  if (info.ca) out += `CA: ${info.ca}\n`;
  return out;
}
