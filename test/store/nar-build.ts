// Hand-assembles NAR bytes for tests, including invalid ones the writer refuses to produce.

export interface Raw {
  raw: Uint8Array;
}

export const raw = (bytes: Uint8Array | number[]): Raw => ({ raw: Uint8Array.from(bytes) });

/** A u64 little-endian length prefix from a bigint, for absurd sizes. */
export function u64(n: bigint): Raw {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return { raw: b };
}

/** Encodes each part as a NAR string (length, bytes, zero padding); Raw parts go in unchanged. */
export function narBytes(...parts: (string | Uint8Array | Raw)[]): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    if (typeof p === 'object' && 'raw' in p) {
      out.push(Buffer.from(p.raw));
      continue;
    }
    const bytes = typeof p === 'string' ? Buffer.from(p) : Buffer.from(p);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(bytes.length));
    out.push(len, bytes, Buffer.alloc((8 - (bytes.length % 8)) % 8));
  }
  return Buffer.concat(out);
}

export const fileNode = (contents: string, executable = false): string[] =>
  executable
    ? ['(', 'type', 'regular', 'executable', '', 'contents', contents, ')']
    : ['(', 'type', 'regular', 'contents', contents, ')'];

export const entry = (name: string | Uint8Array, node: (string | Uint8Array)[]): (string | Uint8Array)[] => [
  'entry', '(', 'name', name, 'node', ...node, ')',
];

/** A directory NAR with the given entries, in the given (possibly wrong) order. */
export function dirNar(...entries: (string | Uint8Array)[][]): Buffer {
  return narBytes('nix-archive-1', '(', 'type', 'directory', ...entries.flat(), ')');
}

export async function* chunks(data: Uint8Array, size = data.length || 1): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}
