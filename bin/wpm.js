#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ and bundled into dist/bundle/ by `npm install`
// (the `prepare` script; see scripts/bundle.mjs).
//
// libuv's thread pool is sized here, before anything uses it: each Jsonnet VM holds a pool thread
// for its whole evaluation, and the file I/O of its native calls needs threads too (the default
// four would leave none with four VMs; see derivations/evaluator.ts). This file is CommonJS
// (bin/package.json) because loading an ES module entry already starts the pool.
'use strict';
process.env.UV_THREADPOOL_SIZE ??= '8';
const argv = process.argv.slice(2);
const main = () => import('../dist/bundle/main.js').then((m) => m.main(argv));
// `wpm run` and profile launchers (`wpm run --launcher …`) will wait for a WASI worker. It is
// started before main.js even begins to load (its small module graph first, on its own), so that
// Node's bootstrap of the thread overlaps loading the CLI (runtime/wasi/early-worker.ts).
if (argv.find((a) => !a.startsWith('-')) === 'run' && !argv.includes('--help') && !argv.includes('-h')) {
  // Without it the pool starts its own worker: a failure here is no reason not to run.
  import('../dist/bundle/early-worker.js')
    .then((w) => w.startEarlyWorker())
    .catch(() => undefined)
    .then(main);
} else {
  main();
}
