// REAPI digests: the SHA-256 of a blob (lowercase hex) and its size. Blobs that are messages
// (Directory, Command, Action, Tree) are digested over their encoded bytes.
import crypto from 'node:crypto';
import fs from 'node:fs';

export interface Digest {
  hash: string;
  size_bytes: number;
}

export const EMPTY_DIGEST: Digest = { hash: crypto.createHash('sha256').digest('hex'), size_bytes: 0 };

export function digestOf(bytes: Uint8Array): Digest {
  return { hash: crypto.createHash('sha256').update(bytes).digest('hex'), size_bytes: bytes.length };
}

/** A file's digest, read in chunks so a large builder never has to fit in memory twice. */
export function digestOfFile(file: string): Digest {
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1024 * 1024);
  let size = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      size += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { hash: h.digest('hex'), size_bytes: size };
}

/** One string per digest, for maps and sets. */
export function digestKey(d: Digest): string {
  return `${d.hash}/${d.size_bytes}`;
}

export function sameDigest(a: Digest, b: Digest): boolean {
  return a.hash === b.hash && Number(a.size_bytes) === Number(b.size_bytes);
}

/** A digest as read off the wire (size may come as a string or a Long-like). */
export function normalizeDigest(d: { hash?: string; size_bytes?: unknown } | null | undefined): Digest {
  return { hash: String(d?.hash ?? ''), size_bytes: Number(d?.size_bytes ?? 0) };
}
