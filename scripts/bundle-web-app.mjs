// Bundles the web app (web/app/main.ts, the browser's store and the format modules it shares
// with the CLI) for the browser into dist/web/app.js, and copies its page to dist/web/index.html.
// `wpm serve --ui` serves that directory; so can any static server. The worker bundle of the
// WASI host (scripts/bundle-web-worker.mjs) goes into the same directory under other names.
// Node-only imports of the shared modules get browser stand-ins: Buffer from the npm `buffer`
// package (scripts/web-buffer.mjs, shared with the worker bundle), node:crypto a module whose
// functions throw (web/shims/node-crypto.ts).
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSER_TARGET, swapDigest } from './web-seams.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'web');

const shims = {
  name: 'wpm-browser-shims',
  setup(b) {
    // The page computes store paths (an edited source, a rewritten .drv).
    swapDigest(b);
    b.onResolve({ filter: /^(node:)?crypto$/ }, () => ({ path: path.join(root, 'web/shims/node-crypto.ts') }));
    b.onResolve({ filter: /^node:/ }, (args) => ({
      errors: [{ text: `${args.path} (imported by ${path.relative(root, args.importer)}) has no browser stand-in: keep Node-only modules out of the web app` }],
    }));
  },
};

const common = { bundle: true, platform: 'browser', target: BROWSER_TARGET, plugins: [shims], sourcemap: true, logLevel: 'warning' };
await build({
  ...common,
  entryPoints: [path.join(root, 'web/app/main.ts')],
  outfile: path.join(out, 'app.js'),
  format: 'esm',
  inject: [path.join(root, 'scripts/web-buffer.mjs')],
});
// The service worker (web/offline): a classic script, which every browser registers.
await build({
  ...common,
  entryPoints: [path.join(root, 'web/offline/service-worker.ts')],
  outfile: path.join(out, 'service-worker.js'),
  format: 'iife',
});
fs.copyFileSync(path.join(root, 'web/app/index.html'), path.join(out, 'index.html'));
