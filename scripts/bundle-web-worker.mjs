// Bundles the browser's step worker (web/step-worker.ts: the WASI host over an in-memory file
// system) into dist/web/step-worker.bundle.js, from the same sources the CLI runs (tsc's unbundled
// step-worker.js sits beside it). The bundle may reach no Node module: the build fails, naming
// the importer, if one does. Two seams are swapped for browsers here: store/format/digest.ts
// (node:crypto) by digest-web.ts, and Node's global Buffer (used by store/format's NAR writer)
// by the `buffer` package, the same API in plain code.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { BROWSER_TARGET, swapDigest } from './web-seams.mjs';

const NODE_BUILTIN = /^(node:.*|assert|buffer$|child_process|crypto|events|fs|os|path|stream|tty|url|util|v8|worker_threads)(\/.*)?$/;

const browserSeams = {
  name: 'browser-seams',
  setup(b) {
    swapDigest(b);
    b.onResolve({ filter: NODE_BUILTIN }, (args) => {
      // The `buffer` package itself is wanted (inject below); Node's own module is not.
      if (args.path === 'buffer' && args.kind === 'import-statement' && args.importer.endsWith(path.join('scripts', 'web-buffer.mjs'))) return undefined;
      return { errors: [{ text: `${args.importer} imports ${args.path}: the web worker bundle must not reach Node's modules` }] };
    });
  },
};

const outdir = 'dist/web';
fs.mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: ['web/step-worker.ts'],
  outdir,
  entryNames: '[name].bundle',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: BROWSER_TARGET,
  inject: ['scripts/web-buffer.mjs'],
  plugins: [browserSeams],
  sourcemap: true,
  logLevel: 'warning',
});
