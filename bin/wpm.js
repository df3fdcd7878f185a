#!/usr/bin/env -S WPM_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS} NODE_EXTRA_CA_CERTS= node --single-threaded-gc
// Thin launcher: the CLI is compiled to dist/ and bundled into dist/bundle/ by `npm install`
// (the `prepare` script; see scripts/bundle.mjs), and loaded with the code cache its verb's
// earlier runs left (cached-bundle.js).
//
// libuv's thread pool is sized here, before anything uses it: each Jsonnet VM holds a pool thread
// for its whole evaluation, and the file I/O of its native calls needs threads too (the default
// four would leave none with four VMs; see derivations/evaluator.ts). This file is CommonJS
// (bin/package.json): loading an ES module entry would already start the pool.
//
// Run as a command (npm's bin link, $WPM_HOME/bin/wpm, launchers), V8's garbage collector works
// on each thread alone (--single-threaded-gc, on the #! line: V8 aborts if it is set once the heap
// has started). A build step grows its wasm memory hundreds of times, each growth starts a major
// GC, and marking with helper threads cost a large compile 10-16 % more CPU
// (docs/wasm-code-cache.md). `node bin/wpm.js` runs without it, the same, only slower.
//
// The same line moves NODE_EXTRA_CA_CERTS aside, to WPM_EXTRA_CA_CERTS: Node 20 parses that file
// and its own root certificates when it starts, 35-55 ms of every command, though few commands
// open a TLS connection. wpm's TLS clients trust the file all the same (util/trusted-cas.ts).
//
// A profile's launcher (`wpm run --launcher PATH -- ARGS`) loads a bundle of its own, which holds
// only what a launcher runs (cli/launcher-main.ts).
'use strict';
process.env.UV_THREADPOOL_SIZE ??= '8';
const path = require('node:path');
const { loadBundle } = require('./cached-bundle.js');

const argv = process.argv.slice(2);
const launcher = argv[0] === 'run' && argv[1] === '--launcher' && argv[2] !== undefined && argv[3] === '--';
const verb = argv.find((a) => !a.startsWith('-'));
const use = launcher ? 'run' : verb !== undefined && /^[a-z][a-z-]{0,30}$/.test(verb) ? verb : 'none';
// A verb's help runs little of it: its cache would stay that small (cached-bundle.js).
const ownArgs = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
const help = !launcher && ownArgs.some((a) => a === '--help' || a === '-h' || a === 'help');
loadBundle(path.join(__dirname, '..', 'dist', 'bundle', launcher ? 'launcher.cjs' : 'main.cjs'), use, !help).main(argv);
