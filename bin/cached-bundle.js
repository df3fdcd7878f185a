// Loads one of the CLI's CommonJS bundles (scripts/bundle.mjs) with a V8 code cache, so that a
// command starts from code compiled by an earlier run instead of compiling its functions again.
// Node 20 has no compile cache of its own (module.enableCompileCache is Node 22's); vm.Script
// takes V8's cached data for a script, and makes it after a run with what that run compiled.
//
// The caches live beside the bundle, in dist/bundle/code-cache/, as trusted as the bundle itself
// (a code cache is code: it is never read from a place others can write). One cache per use:
// `copy`, `build`, `run`… each compiles different functions, so each verb gets the cache its own
// first run leaves. A run that found no usable cache writes one when the process exits, if it
// succeeded and was not asked for help: a verb's help or a failed command line runs little of it,
// and the cache would stay that small (it is not refreshed). Keys:
// - the file's name: the use, and a digest of what V8 requires to match (Node's version, the
//   architecture, Node's and V8's flags), so runs with and without --single-threaded-gc do not
//   replace each other's cache;
// - inside the file: the SHA-256 of the bundle it was made for, and of the cached data. V8 itself
//   checks only the source's length and, in release builds, no checksum, so a cache of an older
//   bundle or a damaged file would otherwise run as code. Either mismatch, a short file, or V8
//   refusing the data is a miss: the bundle is compiled as if there were no cache.
// Writes go to a temporary file renamed into place, so concurrent commands never read half a
// cache. A directory that cannot be written (a shared install) only means no cache.
// WPM_CLI_CACHE=0 turns it off.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');

const MAGIC = Buffer.from('wpm-v8-code-cache-1\n');
const DIGEST = 32;

const sha256 = (data) => crypto.createHash('sha256').update(data).digest();

/** The cached data for `sourceDigest` in `file`, or undefined if it has none that can be trusted. */
function readCache(file, sourceDigest) {
  let bytes;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const head = MAGIC.length + 2 * DIGEST;
  if (bytes.length <= head || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const data = bytes.subarray(head);
  const forSource = bytes.subarray(MAGIC.length, MAGIC.length + DIGEST);
  const ofData = bytes.subarray(MAGIC.length + DIGEST, head);
  if (!forSource.equals(sourceDigest) || !ofData.equals(sha256(data))) return undefined;
  return data;
}

function writeCache(file, sourceDigest, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, Buffer.concat([MAGIC, sourceDigest, sha256(data), data]));
    fs.renameSync(tmp, file);
  } catch {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // never made
    }
  }
}

/** Where the cache of `bundle` for `use` lives, for this Node and its flags. */
function cacheFileOf(bundle, use) {
  const engine = sha256([process.version, process.arch, process.execArgv.join(' '), process.env.NODE_OPTIONS ?? ''].join('\0'));
  return path.join(path.dirname(bundle), 'code-cache', `${path.basename(bundle, '.cjs')}.${use}.${engine.toString('hex', 0, 8)}`);
}

/**
 * The exports of the CommonJS bundle `bundle`, run with the code cache kept for `use` (a name
 * of lowercase letters and dashes). With `write` false, a missing cache is not made.
 */
function loadBundle(bundle, use, write = true) {
  const source = fs.readFileSync(bundle, 'utf8');
  const cache = process.env.WPM_CLI_CACHE === '0' ? undefined : { file: cacheFileOf(bundle, use), sourceDigest: sha256(source) };
  const cachedData = cache && readCache(cache.file, cache.sourceDigest);
  // Wrapped as Node wraps a CommonJS module; on the first line, so line numbers stay the file's.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
  if (cache && write && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', (code) => {
      if (code === 0) writeCache(cache.file, cache.sourceDigest, script.createCachedData());
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  return module.exports;
}

module.exports = { loadBundle };
