// bzip2 1.0.8: libbz2 and the bzip2 program, from the bzip2 release tree that the bzip2-sys
// crate (0.1.13+1.0.8) vendors, with its sample files. bzip2recover is not built: it prints its
// 64-bit offsets with "%Lu", a glibc extension that musl's printf (wasi-libc's) refuses with
// EINVAL, which bzip2recover then reports as a read error and stops.
//   wpm run packages/default.jsonnet -A bzip2 --bin bzip2 -- -c < file > file.bz2
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';
local posixCompat = import '../tools/posix-compat/default.libsonnet';

local up = upstream.crate({
  crate: 'bzip2-sys',
  version: '0.1.13+1.0.8',
  sha256: '225bff33b2141874fe80d71e07d6eec4f85c5c216453dd96388240f96e1acc14',
  dir: 'bzip2-1.0.8',
});
local src = up.src;

local lib = cc.staticLibrary({
  name: 'bz2',
  srcs: [src + '/' + f + '.c' for f in ['blocksort', 'huffman', 'crctable', 'randtable', 'compress', 'decompress', 'bzlib']],
  hdrs: [src + '/bzlib.h'],
  // The Makefile's CFLAGS (-D_FILE_OFFSET_BITS=64 changes nothing on WASI, where off_t is 64 bits).
  includes: [src],
});
// bzip2.c installs handlers for SIGINT, SIGTERM, SIGSEGV and SIGBUS and times nothing but
// includes <sys/times.h>: WASI offers both only through wasi-libc's emulations (signals are
// never delivered). It copies a file's owner to its compressed copy with fchown, which WASI
// lacks (posix-compat: files have no owner there).
local program(name) = cc.executable({
  name: name,
  srcs: [src + '/' + name + '.c'],
  deps: [lib, posixCompat],
  defines: { _WASI_EMULATED_SIGNAL: true, _WASI_EMULATED_PROCESS_CLOCKS: true },
  cflags: posixCompat.cflags,
  ldflags: ['-lwasi-emulated-signal', '-lwasi-emulated-process-clocks'],
});
local bzip2 = program('bzip2');

// The Makefile's `test` target: compress each sample at its level and compare with the .bz2
// upstream ships; decompress each .bz2 and compare with the .ref (sample3 with -s, small memory).
local compress(n) = checks.run({ name: 'sample' + n + '-compress', program: bzip2, args: ['-' + n],
                                 stdin: src + '/sample' + n + '.ref', stdout: src + '/sample' + n + '.bz2' });
local decompress(n, flags) = checks.run({ name: 'sample' + n + '-decompress', program: bzip2, args: [flags],
                                          stdin: src + '/sample' + n + '.bz2', stdout: src + '/sample' + n + '.ref' });

upstream.package({
  name: 'bzip2',
  version: '1.0.8',
  source: up.source,
  tarball: up.tarball,
  library: lib,
  programs: [bzip2],
  checks: {
    'sample1-compress': compress(1),
    'sample2-compress': compress(2),
    'sample3-compress': compress(3),
    'sample1-decompress': decompress(1, '-d'),
    'sample2-decompress': decompress(2, '-d'),
    'sample3-decompress': decompress(3, '-ds'),
  },
})
