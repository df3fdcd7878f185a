// Snappy 1.1.3 (C++): libsnappy with its C interface, from the snappy source tree that the
// snappy-sys crate (0.1.0) vendors, with its unit test and test data. Snappy has no
// command-line program.
//
// config.h (configure's checks) is config/config.h here, reviewed; snappy-stubs-public.h is
// made from upstream's snappy-stubs-public.h.in by a Python step, as config.status would.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';

local up = upstream.crate({
  crate: 'snappy-sys',
  version: '0.1.0',
  sha256: '9f873053ef085548b0b924db3aa2ce38d9389fb3be353bf7fcec4ababc99a307',
  dir: 'snappy',
});
local src = up.src;
local stubs = upstream.configureFile({
  name: 'snappy-stubs-public.h',
  template: src + '/snappy-stubs-public.h.in',
  vars: {
    ac_cv_have_stdint_h: 1,
    ac_cv_have_stddef_h: 1,
    ac_cv_have_sys_uio_h: 1,
    SNAPPY_MAJOR: 1,
    SNAPPY_MINOR: 1,
    SNAPPY_PATCHLEVEL: 3,
  },
});
local flags = { defines: { HAVE_CONFIG_H: true }, includes: [stubs, wpm.path(std.thisFile, 'config'), src], cxxstd: 'c++11' };

local lib = cc.staticLibrary(flags {
  name: 'snappy',
  srcs: [src + '/' + f + '.cc' for f in ['snappy', 'snappy-sinksource', 'snappy-stubs-internal', 'snappy-c']],
  hdrs: [src + '/snappy.h', src + '/snappy-c.h', src + '/snappy-sinksource.h', stubs + '/snappy-stubs-public.h'],
});
// `make check` runs snappy_unittest with srcdir set, where it finds testdata/.
local unittest = cc.executable(flags {
  name: 'snappy_unittest',
  srcs: [src + '/snappy_unittest.cc', src + '/snappy-test.cc'],
  deps: [lib],
  defines+: { _WASI_EMULATED_PROCESS_CLOCKS: true },
  ldflags: ['-lwasi-emulated-process-clocks'],
});

upstream.package({
  name: 'snappy',
  version: '1.1.3',
  source: up.source,
  tarball: up.tarball,
  library: lib,
  checks: {
    snappy_unittest: checks.run({ name: 'snappy_unittest', program: unittest, env: { srcdir: src } }),
  },
})
