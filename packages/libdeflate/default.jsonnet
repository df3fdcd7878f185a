// libdeflate 1.26: fast DEFLATE, zlib and gzip compression (libdeflate) and its gzip program,
// from the libdeflate source tree that the libdeflate-sys crate (1.26.1) vendors, tests
// included. Its tests compare with zlib: they use the zlib package of this set.
//   wpm run packages/default.jsonnet -A libdeflate --bin libdeflate-gzip --dir . -- -k file
//
// programs/config.h is made from upstream's config.h.in by a Python step (CMake's
// configure_file), with what CMakeLists.txt's checks find in wasi-libc.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';
local zlib = import '../zlib/default.jsonnet';
local posixCompat = import '../tools/posix-compat/default.libsonnet';

local up = upstream.crate({
  crate: 'libdeflate-sys',
  version: '1.26.1',
  sha256: 'd7870e5fbd2766179a937c725fb11f4ca0ef025d982beb61bd3ce755425bd19c',
  dir: 'libdeflate',
});
local src = up.src;
local config = upstream.configureFile({
  name: 'config.h',
  template: src + '/programs/config.h.in',
  cmake: true,
  vars: {
    HAVE_CLOCK_GETTIME: true,
    HAVE_FUTIMENS: true,
    HAVE_POSIX_FADVISE: true,
    HAVE_POSIX_MADVISE: false,  // no <sys/mman.h> without wasi-libc's mman emulation
    HAVE_STAT_NANOSECOND_PRECISION: true,
  },
});

local lib = cc.staticLibrary({
  name: 'deflate',
  srcs: [src + '/lib/' + f + '.c' for f in ['adler32', 'crc32', 'deflate_compress', 'deflate_decompress', 'gzip_compress',
                                             'gzip_decompress', 'utils', 'zlib_compress', 'zlib_decompress']],
  hdrs: [src + '/libdeflate.h'],
});
// libdeflate_prog_utils (prog_util.c, tgetopt.c), with config.h. The programs map their input
// files read-only and the tests allocate buffers between guard pages with mmap: wasi-libc's
// mman emulation gives the mappings (as copies; WASI has no page protection, so the guard pages
// guard nothing there). gzip.c copies a file's owner with fchown (posix-compat).
local progFlags = {
  includes: [config, src],
  defines: { HAVE_CONFIG_H: true, _WASI_EMULATED_MMAN: true },
  cflags: posixCompat.cflags,
};
local progUtils = cc.staticLibrary(progFlags {
  name: 'deflate_prog_utils',
  srcs: [src + '/programs/prog_util.c', src + '/programs/tgetopt.c'],
  deps: [lib, posixCompat],
  linkflags: ['-lwasi-emulated-mman'],
});
local gzip = cc.executable(progFlags { name: 'libdeflate-gzip', srcs: [src + '/programs/gzip.c'], deps: [progUtils] });
// libdeflate_test_utils links zlib, to compare.
local testUtils = cc.staticLibrary(progFlags { name: 'deflate_test_utils', srcs: [src + '/programs/test_util.c'], deps: [progUtils, zlib] });
local unitTest(name) = checks.run({ name: name, program: cc.executable(progFlags { name: name, srcs: [src + '/programs/' + name + '.c'], deps: [testUtils] }) });
// programs/CMakeLists.txt's UNIT_TEST_PROGS, each an add_test.
local unitTests = ['test_checksums', 'test_custom_malloc', 'test_incomplete_codes', 'test_invalid_streams',
                   'test_litrunlen_overflow', 'test_overread', 'test_slow_decompression', 'test_trailing_bytes'];

upstream.package({
  name: 'libdeflate',
  version: '1.26',
  source: up.source,
  tarball: up.tarball,
  library: lib,
  programs: [gzip],
  checks: { [t]: unitTest(t) for t in unitTests },
})
