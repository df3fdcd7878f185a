// Bundles the CLI (dist/cli/main.js and every module it reaches, one chunk per lazily loaded verb)
// into dist/bundle/, after tsc. A no-op build spent most of its time loading about a hundred ES
// modules one by one; a handful of chunks load several times faster. Each worker script is
// bundled into one file of its own beside the chunks (dist/bundle/runtime.wasi.worker.js for
// dist/runtime/wasi/worker.js), which util/worker-script.ts prefers: a thread that loads one
// file is ready sooner, and a build's first step waits for its WASI worker. Both find wpm's files through
// util/dist-dir.ts, which sits at the bundle's depth.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: without a clean directory every build would leave the last
// one's chunks behind.
rmSync('dist/bundle', { recursive: true, force: true });

// What every build shares: ES modules for Node 20, dependencies left in node_modules (node-jsonnet
// is a native addon, jco is large and loaded only for components), except commander: every
// command parses its arguments with it, and from node_modules it is a CommonJS package of seven
// files behind an ES module wrapper, which Node 20 resolves, reads and scans one by one at each
// start.
const BUNDLED = new Set(['commander']);
const dependencies = {
  name: 'dependencies',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (BUNDLED.has(args.path) ? undefined : { path: args.path, external: true }));
  },
};
const common = { outdir: 'dist/bundle', bundle: true, format: 'esm', platform: 'node', target: 'node20', plugins: [dependencies], logLevel: 'warning' };

await build({
  ...common,
  entryPoints: { main: 'dist/cli/main.js' },
  splitting: true,
  // commander, a CommonJS package, calls require() for Node's modules; an ES module has none.
  banner: { js: "import { createRequire as __wpmCreateRequire } from 'node:module';\nconst require = __wpmCreateRequire(import.meta.url);" },
});

// A profile's launcher: one file with exactly what it runs (bin/wpm.js loads it instead of main.js).
await build({ ...common, entryPoints: { launcher: 'dist/cli/launcher-main.js' } });

// The workers' scripts (util/worker-script.ts lists where they are started), without splitting:
// one file each.
const WORKERS = ['runtime/wasi/worker', 'glue/drv-writer-worker', 'derivations/vm-worker'];
await build({ ...common, entryPoints: Object.fromEntries(WORKERS.map((w) => [w.replaceAll('/', '.'), `dist/${w}.js`])) });
