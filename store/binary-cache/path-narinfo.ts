// From what the local store knows about a path to what a cache says about it, and signing.

import { fingerprintPath, signFingerprint, type LocalStore, type NarInfo, type PathInfo, type SecretKey } from '../index.js';

/** The signature `key` makes over a path's fingerprint. */
export function signPathInfo(info: PathInfo, key: SecretKey): string {
  return signFingerprint(key, fingerprintPath(info.path, info.narHash, info.narSize, info.references));
}

export interface NarFile {
  url: string;
  compression: string;
  fileHash?: string;
  fileSize?: number;
}

/** The narinfo of a valid path whose NAR is `file`, with its stored signatures plus `signWith`'s. */
export function narInfoFor(info: PathInfo, file: NarFile, signWith: SecretKey[] = []): NarInfo {
  const sigs = [...info.signatures];
  for (const k of signWith) {
    const sig = signPathInfo(info, k);
    if (!sigs.includes(sig)) sigs.push(sig);
  }
  return {
    storePath: info.path,
    ...file,
    narHash: info.narHash,
    narSize: info.narSize,
    references: [...info.references].sort(),
    ...(info.deriver ? { deriver: info.deriver } : {}),
    sigs,
    ...(info.ca ? { ca: info.ca } : {}),
  };
}


/** A closure in an order where every path comes after its references (as uploads need). */
export function referencesFirst(store: LocalStore, paths: Iterable<string>): string[] {
  const out: string[] = [];
  const done = new Set<string>();
  const visit = (p: string) => {
    if (done.has(p)) return;
    done.add(p);
    for (const r of store.requirePathInfo(p).references) if (r !== p) visit(r);
    out.push(p);
  };
  for (const p of [...paths].sort()) visit(p);
  return out;
}
