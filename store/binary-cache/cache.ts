// A binary cache seen as a tree of files (nix-cache-info, <hash>.narinfo, nar/…): one interface,
// one file per transport (http-cache.ts, file-cache.ts). Everything above it — narinfo, trust,
// substitution, upload — is written once against this interface.

export type PutBody = string | Uint8Array | { file: string };

/** How long a read may take in all, and when to give it up. */
export interface ReadOptions {
  /**
   * The whole read, answer and body, must be done within this many milliseconds, or it fails
   * with ERR_CACHE_TIMEOUT however steadily bytes trickle in (default: the cache's timeout).
   */
  deadlineMs?: number | undefined;
  /** Ctrl-C: the read stops at once with ERR_INTERRUPTED. */
  signal?: AbortSignal | undefined;
  /**
   * The reader is done with each chunk before it asks for the next, so a transport may read every
   * chunk into the same buffer (file:// does: no garbage per megabyte).
   */
  reuseChunks?: boolean | undefined;
}

export interface BinaryCache {
  /** The cache's URL as given, without a trailing slash: it names the cache in messages. */
  readonly url: string;
  /**
   * A file's bytes as a stream, or undefined if the cache does not have it. Anything else (the
   * cache is down, too slow, answers 500) throws a WpmError with an ERR_CACHE_* code.
   */
  getStream(rel: string, opts?: ReadOptions): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** A small text file (at most `maxBytes`, default 1 MiB), or undefined if absent. */
  getText(rel: string, maxBytes?: number, opts?: ReadOptions): Promise<string | undefined>;
  exists(rel: string): Promise<boolean>;
  /** Writes a file; a reader never sees it half-written. */
  put(rel: string, body: PutBody, opts?: { contentType?: string }): Promise<void>;
}

/** Error codes meaning the cache itself is unusable (rather than one file being absent or bad). */
export const UNREACHABLE_CODES = new Set(['ERR_CACHE_UNREACHABLE', 'ERR_CACHE_TIMEOUT']);

/** Reads a stream into one buffer, refusing more than `maxBytes`. */
export async function readAll(source: AsyncIterable<Uint8Array>, maxBytes: number, onTooBig: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of source) {
    size += c.length;
    if (size > maxBytes) throw onTooBig();
    chunks.push(Buffer.from(c.buffer, c.byteOffset, c.length));
  }
  return Buffer.concat(chunks, size);
}
