// The evaluator's I/O, backed by the local store. Adding a host path is cached by a fingerprint
// of its metadata (path, size, mtime, mode of every entry), so re-evaluating an unchanged tree does
// not re-hash it: a no-op build of a package with a 75 MB toolchain stays fast.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WpmError } from '../util/index.js';
import type { EvalIO } from '../derivations/index.js';
import type { LocalStore } from '../store/index.js';
import { globFilter } from './glob.js';

export function storeEvalIO(store: LocalStore): EvalIO {
  const cacheDir = path.join(store.layout.cache, 'paths');
  fs.mkdirSync(cacheDir, { recursive: true });
  return {
    async addPath(hostPath, { name, exclude }) {
      let st: fs.Stats;
      try {
        st = fs.lstatSync(hostPath);
      } catch {
        throw new WpmError('ERR_EVAL_PATH_MISSING', `wpm.path: ${hostPath} does not exist`);
      }
      const filter = globFilter(exclude);
      const key = crypto.createHash('sha256');
      key.update(JSON.stringify([hostPath, name, exclude]));
      fingerprint(hostPath, '', st, filter, key);
      const cacheFile = path.join(cacheDir, key.digest('hex'));
      try {
        const cached = fs.readFileSync(cacheFile, 'utf8');
        if (store.isValid(cached)) return cached;
      } catch {
        // not cached yet
      }
      const storePath = await store.addPath(hostPath, { name, filter });
      fs.writeFileSync(cacheFile, storePath);
      return storePath;
    },
    addText: (name, text, references) => store.addText(name, text, references),
    isValidPath: (p) => store.isValid(p),
  };
}

function fingerprint(
  file: string,
  rel: string,
  st: fs.Stats,
  filter: (rel: string, isDir: boolean) => boolean,
  into: crypto.Hash,
): void {
  into.update(`${rel}\0${st.mode}\0${st.size}\0${st.mtimeMs}\0${st.ino}\0`);
  if (!st.isDirectory()) return;
  for (const name of fs.readdirSync(file).sort()) {
    if (name === '.git') continue;
    const childRel = rel === '' ? name : `${rel}/${name}`;
    const child = path.join(file, name);
    const cst = fs.lstatSync(child);
    if (!filter(childRel, cst.isDirectory())) continue;
    fingerprint(child, childRel, cst, filter, into);
  }
}
