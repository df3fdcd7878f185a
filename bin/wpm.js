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
import('../dist/bundle/main.js').then((m) => m.main(process.argv.slice(2)));
