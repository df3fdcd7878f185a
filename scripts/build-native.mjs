// Compiles wpm's own native helpers (native/*/*.c) into dist/native/, against the headers of the
// Node that runs this script (its include/node, which Node's tarball and distribution packages
// ship). Nothing is downloaded. They are optional: if there is no C compiler or no headers, wpm
// says so here and works without them (see where each is loaded).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const include = path.resolve(path.dirname(process.execPath), '..', 'include', 'node');
const out = path.join(root, 'dist', 'native');

for (const name of fs.readdirSync(path.join(root, 'native'))) {
  const src = path.join(root, 'native', name, `${name}.c`);
  if (!fs.existsSync(src)) continue;
  const dest = path.join(out, `${name}.node`);
  if (!fs.existsSync(path.join(include, 'node_api.h'))) {
    console.warn(`wpm: not building native/${name}: no Node headers in ${include}`);
    continue;
  }
  fs.mkdirSync(out, { recursive: true });
  // N-API symbols are resolved from the node binary when the module is loaded.
  const platform = process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : [];
  const cc = process.env.CC ?? 'cc';
  const r = spawnSync(cc, ['-shared', '-fPIC', '-O2', `-DNODE_GYP_MODULE_NAME=${name.replace(/-/g, '_')}`, `-I${include}`, ...platform, src, '-o', dest], { stdio: 'inherit' });
  if (r.status !== 0) console.warn(`wpm: not building native/${name}: ${cc} failed`);
}
