// Bundles the CLI into dist/bundle/, after tsc: dist/cli/main.js and every module it reaches into
// one CommonJS file, main.cjs, and a profile's launcher (cli/launcher-main.ts) into another,
// launcher.cjs. bin/wpm.js loads them with a V8 code cache (bin/cached-bundle.js), which skips
// compiling what a command ran before; a CommonJS script is the only kind Node 20 can hand a
// code cache. Before, the CLI was ES module chunks, which Node's loader resolved, compiled and
// linked one by one at every start: a no-op `wpm copy` took 90 ms, now 55-60 (docs/design.md,
// "The command line's code cache").
// Each worker script is bundled into one file of its own beside them
// (dist/bundle/runtime.wasi.worker.js for dist/runtime/wasi/worker.js), which
// util/worker-script.ts prefers: a thread that loads one file is ready sooner, and a build's
// first step waits for its WASI worker. Both find wpm's files through util/dist-dir.ts, which
// sits at the bundle's depth.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

// A clean directory: nothing of the last build stays, the code caches made for it included.
rmSync('dist/bundle', { recursive: true, force: true });

// What every build shares: Node 20, dependencies left in node_modules (node-jsonnet is a native
// addon, jco is large and loaded only for components), except commander: every command parses
// its arguments with it, and from node_modules it is a CommonJS package of seven files, read and
// compiled one by one at each start.
const BUNDLED = new Set(['commander']);
const dependencies = {
  name: 'dependencies',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (BUNDLED.has(args.path) ? undefined : { path: args.path, external: true }));
  },
};
const common = { outdir: 'dist/bundle', bundle: true, platform: 'node', target: 'node20', plugins: [dependencies], logLevel: 'warning' };

// The command line and the launcher, as CommonJS. A verb's modules stay lazy: esbuild turns
// `import('./commands/copy.js')` into a call that runs them on first use, and import() of a
// package into require(), which loads jco (an ES module without top-level await) on Node 20.19
// and later. No import() is left: in a script run through vm.Script it would need Node 20's
// experimental loader hook, which prints a warning and, with cached data, fails to find its
// callback. import.meta.url, which util/dist-dir.ts and the native addons' loaders use, becomes
// the file's own URL.
await build({
  ...common,
  entryPoints: { main: 'dist/cli/main.js', launcher: 'dist/cli/launcher-main.js' },
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__wpm_import_meta_url' },
  // __wpmBuiltins: forTheStart's shared namespaces of Node's builtins.
  banner: { js: "const __wpm_import_meta_url = require('node:url').pathToFileURL(__filename).href;\nvar __wpmBuiltins = {};" },
});
for (const file of ['dist/bundle/main.cjs', 'dist/bundle/launcher.cjs']) writeFileSync(file, forTheStart(readFileSync(file, 'utf8')));

/**
 * Two rewrites of a CommonJS bundle for the CLI's start, neither changing what it does:
 * - Non-ASCII characters in comments become \u escapes. esbuild escapes them everywhere else, but
 *   keeps some comments as they are, and one such character makes V8 hold the whole 770 KB
 *   source at two bytes a character. Anywhere but a comment (a tagged template's raw text) an
 *   escape could change the program, so there the build stops instead.
 * - `__toESM(require("node:fs"))`, esbuild's namespace for a default import of a builtin, copies
 *   the builtin's every property into a new object, once for each module importing it (87 for
 *   node:fs): one shared namespace per builtin does the same.
 */
function forTheStart(code) {
  const ascii = code
    .split('\n')
    .map((line, i) => {
      if (!/[^\x00-\x7f]/.test(line)) return line;
      if (!/^\s*(\/\/|\/\*|\*)/.test(line)) throw new Error(`bundle line ${i + 1} has a non-ASCII character outside a comment: ${line.trim()}`);
      return line.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    })
    .join('\n');
  return ascii.replace(/__toESM\(require\(("node:[a-z0-9_/]+")\)(, 1)?\)/g, '(__wpmBuiltins[$1] ??= $&)');
}

// The workers' scripts (util/worker-script.ts lists where they are started), without splitting:
// one file each.
const WORKERS = ['runtime/wasi/worker', 'glue/drv-writer-worker', 'derivations/vm-worker'];
await build({ ...common, format: 'esm', entryPoints: Object.fromEntries(WORKERS.map((w) => [w.replaceAll('/', '.'), `dist/${w}.js`])) });
