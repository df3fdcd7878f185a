#!/usr/bin/env node
// Builds the compiled-code cache addon for the Node running this script (`npm run build` runs it,
// and so `npm install`, through `prepare`; with --if-stale it does nothing when the addon for this
// Node is newer than its sources).
// It compiles from source against the headers of that very Node, found beside it (a Debian or
// nodesource Node has /usr/include/node; npm's node@22 / node@24 packages carry Node's own tarball,
// include/ and all), with the node-gyp that npm ships; nothing is downloaded. The result is named
// after Node's ABI (process.versions.modules), so one checkout can hold builds for several Nodes.
// It never fails the install: wpm runs without the cache when the addon is missing (see
// runtime/wasi/code-cache/addon.ts), so a failure is reported in one line and the script exits 0.
// With --required (.ci/run, whose tests need the addon) a failure exits 1 instead.
//
// Unlike wpm's other native helpers (scripts/build-native.mjs, plain C against N-API), this one is
// C++ against V8's own API, whose headers must be compiled with the defines Node itself was built
// with (pointer compression, the sandbox, …): node-gyp takes them from the headers' common.gypi.
//
//   node native/wasm-code-cache/build.mjs [--verbose] [--if-stale] [--required]

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const verbose = process.argv.includes('--verbose');
const required = process.argv.includes('--required');

// Where the built addon goes; runtime/wasi/code-cache/addon.ts looks for the same name.
const target = path.join(HERE, 'out', `wasm_code_cache-${process.platform}-${process.arch}-abi${process.versions.modules}.node`);

/** The ABI version the headers in `dir` (a Node prefix: dir/include/node/node_version.h) are for. */
function headerAbi(dir) {
  try {
    const text = fs.readFileSync(path.join(dir, 'include', 'node', 'node_version.h'), 'utf8');
    return /#define NODE_MODULE_VERSION (\d+)/.exec(text)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** A Node prefix whose headers are this Node's: npm's nodedir setting, beside the binary, or npm's node-<os>-<arch> package. */
function findNodeDir() {
  const bin = path.dirname(process.execPath);
  const candidates = [
    process.env.npm_config_nodedir,
    path.resolve(bin, '..'),
    path.resolve(bin, '..', 'node_modules', `node-${process.platform}-${process.arch}`),
  ].filter(Boolean);
  return candidates.find((dir) => headerAbi(dir) === process.versions.modules) ?? null;
}

/** npm's own node-gyp: npm names it to lifecycle scripts; otherwise it sits in npm's folder (of the npm on PATH, for a Node from npm's registry, which comes without one). */
function findNodeGyp() {
  const inNpm = (npmCli) => path.resolve(path.dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const candidates = [process.env.npm_config_node_gyp];
  if (process.env.npm_execpath) candidates.push(inNpm(process.env.npm_execpath));
  candidates.push(path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    try {
      candidates.push(inNpm(fs.realpathSync(path.join(dir, 'npm'))));
    } catch {
      // no npm there
    }
  }
  return candidates.find((f) => f && fs.existsSync(f)) ?? null;
}

function skip(reason) {
  console.error(`wpm: the WebAssembly code cache addon was not built (${reason}); wpm works without it, compiling wasm in every process`);
  process.exit(required ? 1 : 0);
}

const sources = ['binding.gyp', 'build.mjs', ...fs.readdirSync(path.join(HERE, 'src')).map((f) => path.join('src', f))];
if (process.argv.includes('--if-stale') && fs.existsSync(target)) {
  const built = fs.statSync(target).mtimeMs;
  if (sources.every((f) => fs.statSync(path.join(HERE, f)).mtimeMs < built)) process.exit(0);
}

const nodeDir = findNodeDir();
if (nodeDir === null) skip(`no headers for Node ${process.version} (ABI ${process.versions.modules}) beside it`);
const nodeGyp = findNodeGyp();
if (nodeGyp === null) skip('node-gyp not found (it comes with npm)');

const r = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`], {
  cwd: HERE,
  encoding: 'utf8',
  stdio: verbose ? 'inherit' : 'pipe',
  maxBuffer: 1 << 26,
});
const built = path.join(HERE, 'build', 'Release', 'wasm_code_cache.node');
if (r.status !== 0 || !fs.existsSync(built)) {
  if (!verbose) console.error(`${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').slice(-15).join('\n'));
  skip(`node-gyp failed${r.error ? `: ${r.error.message}` : ''}`);
}
// Copied out of build/ (which the next node-gyp rebuild, for another Node, empties) under a
// temporary name and renamed, so a wpm starting meanwhile loads all of it or none.
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.copyFileSync(built, `${target}.tmp-${process.pid}`);
fs.renameSync(`${target}.tmp-${process.pid}`, target);
if (verbose) console.error(`built ${target}`);
