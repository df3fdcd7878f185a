// The store path `wpm.path` gives a single file, computed from its bytes alone: a `source` path
// (recursive SHA-256, like `nix-store --add`) over the NAR of one regular file, named after the
// file. This is what the CLI's store.addPath registers (store/registration.ts), without a disk.
// Files, not store/format's index, which reaches node:crypto's ed25519 (signature.ts).
import { HashSink } from '../../store/format/hash.js';
import { NarWriter } from '../../store/format/nar-writer.js';
import { makeSourcePath } from '../../store/format/store-path.js';

export interface FileSourceOptions {
  /** The file's executable bit, the only mode a NAR keeps (default false, as for a C file). */
  executable?: boolean;
}

export function fileSourcePath(name: string, contents: Uint8Array | string, opts: FileSourceOptions = {}): string {
  const bytes = typeof contents === 'string' ? new TextEncoder().encode(contents) : contents;
  const sink = new HashSink('sha256');
  const nar = new NarWriter((chunk) => sink.update(chunk));
  nar.file(opts.executable ?? false, bytes.length);
  if (bytes.length > 0) nar.contents(bytes);
  nar.end();
  return makeSourcePath(sink.digest(), name);
}
