// A tree of the in-memory file system as a NAR, written by store/format's NarWriter, so an output
// made in a browser worker is serialised exactly as the CLI serialises one on disk: entries in
// byte order, a file executable when its owner may execute it.
import { NarWriter } from '../../../store/format/nar-writer.js';
import type { MemNode } from '../../wasi/mem-fs/index.js';
import { compareBytes } from '../../wasi/vfs.js';

export function treeToNar(node: MemNode): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  // NarWriter never writes over a chunk it handed out, and file contents stay as they are: keep them.
  const w = new NarWriter((chunk) => {
    chunks.push(chunk);
    total += chunk.length;
  });
  write(w, node);
  w.end();
  const nar = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    nar.set(c, off);
    off += c.length;
  }
  return nar;
}

function write(w: NarWriter, node: MemNode): void {
  if (node.kind === 'file') {
    w.file((node.perm & 0o100) !== 0, node.size);
    if (node.size > 0) w.contents(node.data.subarray(0, node.size));
  } else if (node.kind === 'symlink') {
    w.symlink(node.target);
  } else {
    w.startDirectory();
    for (const name of [...node.entries.keys()].sort(compareBytes)) {
      w.entry(name);
      write(w, node.entries.get(name)!);
      w.endEntry();
    }
    w.endDirectory();
  }
}
