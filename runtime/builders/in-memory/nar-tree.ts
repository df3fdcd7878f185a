// A NAR as a tree in the in-memory file system, read-only as an input in the store is. The NAR is
// parsed by store/format's parser from one chunk, so each file's contents arrive as one view into
// the NAR's bytes and are kept as that view: mounting an input copies nothing.
import { parseNar } from '../../../store/format/nar-parser.js';
import type { MemDir, MemFs, MemNode } from '../../wasi/mem-fs/index.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** The tree a NAR holds, as nodes of `fs` (not yet linked anywhere). */
export async function narToTree(fs: MemFs, nar: Uint8Array): Promise<MemNode> {
  let root: MemNode | undefined;
  const dirs: MemDir[] = [];
  let name: string | null = null;
  let file: { executable: boolean; size: number; parts: Uint8Array[] } | null = null;
  const place = (node: MemNode): void => {
    if (dirs.length === 0) root = node;
    else fs.attach(dirs[dirs.length - 1], name!, node);
  };
  await parseNar(once(nar), {
    file(executable, size) {
      file = { executable, size, parts: [] };
    },
    contents(chunk) {
      file!.parts.push(chunk);
    },
    endFile() {
      const f = file!;
      let data: Uint8Array;
      if (f.parts.length === 1) data = f.parts[0];
      else {
        data = new Uint8Array(f.size);
        let off = 0;
        for (const p of f.parts) {
          data.set(p, off);
          off += p.length;
        }
      }
      place(fs.file(f.executable ? 0o555 : 0o444, data, true));
      file = null;
    },
    symlink(target) {
      place(fs.symlinkNode(utf8.decode(target), true));
    },
    startDirectory() {
      const d = fs.dir(0o555, true);
      place(d);
      dirs.push(d);
    },
    entry(n) {
      name = utf8.decode(n);
    },
    endDirectory() {
      dirs.pop();
    },
  });
  return root!;
}
