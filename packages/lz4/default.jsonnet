// LZ4 1.10.0: liblz4 (block, HC and frame formats) and the lz4 program, from the lz4 source tree
// that the lz4-sys crate (1.11.0) vendors whole, tests included.
//   wpm run packages/default.jsonnet -A lz4 --bin lz4 -- -c < file > file.lz4
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';
local posixCompat = import '../tools/posix-compat/default.libsonnet';

local up = upstream.crate({
  crate: 'lz4-sys',
  version: '1.11.0',
  sha256: 'fcb44a01837a858d47e5a630d2ccf304c8efcc4b83b8f9f75b7a9ee4fcc6e57d',
  dir: 'liblz4',
});
local src = up.src;
local libFiles = ['lz4', 'lz4hc', 'lz4frame', 'xxhash'];

local lib = cc.staticLibrary({
  name: 'lz4',
  srcs: [src + '/lib/' + f + '.c' for f in libFiles],
  hdrs: [src + '/lib/' + f + '.h' for f in ['lz4', 'lz4hc', 'lz4frame', 'lz4frame_static', 'xxhash']],
});
// programs/util.h copies a file's owner with chown (posix-compat: WASI files have none) and
// times with clock(), which wasi-libc offers as an emulation.
local programFlags = {
  deps: [lib, posixCompat],
  cflags: posixCompat.cflags,
  defines: { _WASI_EMULATED_PROCESS_CLOCKS: true },
  ldflags: ['-lwasi-emulated-process-clocks'],
};
// Without LZ4IO_MULTITHREAD (the Makefile adds it only where it finds pthreads) lz4 compresses
// on one thread.
local lz4 = cc.executable(programFlags {
  name: 'lz4',
  srcs: [src + '/programs/' + f + '.c' for f in ['bench', 'lorem', 'lz4cli', 'lz4io', 'threadpool', 'timefn', 'util']],
  includes: [src + '/lib'],
});
// tests/Makefile links each test with the library's objects, and programs/ for util.h.
local test(name) = cc.executable(programFlags {
  name: name,
  srcs: [src + '/tests/' + name + '.c'],
  includes: [src + '/lib', src + '/programs'],
});

upstream.package({
  name: 'lz4',
  version: '1.10.0',
  source: up.source,
  tarball: up.tarball,
  library: lib,
  programs: [lz4],
  // tests/Makefile's `test` target, as far as it runs C programs. Upstream bounds the two
  // fuzzers by 90 s of wall time (-T90s); a step's clock is a counter, not the wall's, so here
  // they run a fixed number of rounds from a fixed seed.
  checks: {
    fuzzer: checks.run({ name: 'fuzzer', program: test('fuzzer'), args: ['-s1', '-i2000'] }),
    frametest: checks.run({ name: 'frametest', program: test('frametest'), args: ['-s1', '-i2000'] }),
    'decompress-partial': checks.run({ name: 'decompress-partial', program: test('decompress-partial') }),
    'decompress-partial-usingDict': checks.run({ name: 'decompress-partial-usingDict', program: test('decompress-partial-usingDict') }),
  },
  local script = 'a sh script that drives the lz4 program through pipes and temporary files: WASI cannot start processes',
  leftOut: {
    'test-lz4 (test-lz4-essentials, -opt-parser, -sparse, -hugefile, -dict, -skippable)': script,
    'test-lz4c': script + ' (lz4c, the legacy-format program, is the same sources built with another define)',
    'test-fullbench': 'a benchmark that times each function for a while; in a step the clock is a deterministic counter, so its loops would not end in any useful time',
    'test-amalgamation': 'only compiles lz4.c, lz4hc.c and lz4frame.c as one file; no test runs',
    listTest: 'test-lz4-list.py starts lz4 as a subprocess',
  },
})
