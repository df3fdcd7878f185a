// Expat 2.2.1: libexpat and xmlwf, its well-formedness checker, from the expat source tree that
// the node-expat npm package (2.4.1) vendors in deps/libexpat, tests included.
//   wpm run packages/default.jsonnet -A expat --bin xmlwf --dir . -- doc.xml
//
// expat_config.h, which configure would write, is config/expat_config.h here (reviewed).
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';

local up = upstream.npm({
  package: 'node-expat',
  version: '2.4.1',
  integrity: 'sha512-uWgvQLgo883NKIL+66oJsK9ysKK3ej0YjVCPBZzO/7wMAuH68/Yb7+JwPWNaVq0yPaxrb48AoEXfYEc8gsmFbg==',
  dir: 'deps/libexpat',
});
local src = up.src;
local config = wpm.path(std.thisFile, 'config');
local flags = { defines: { HAVE_EXPAT_CONFIG_H: true }, includes: [config, src + '/lib'] };

local lib = cc.staticLibrary(flags {
  name: 'expat',
  srcs: [src + '/lib/' + f + '.c' for f in ['xmlparse', 'xmlrole', 'xmltok']],
  hdrs: [src + '/lib/expat.h', src + '/lib/expat_external.h'],
});
// xmlwf with readfilemap.c: the Makefile's choice where configure finds no mmap.
local xmlwf = cc.executable(flags {
  name: 'xmlwf',
  srcs: [src + '/xmlwf/' + f + '.c' for f in ['xmlwf', 'xmlfile', 'codepage', 'readfilemap']],
  deps: [lib],
});
// `make check`: runtests, and the same tests compiled as C++ (runtestspp.cpp includes
// runtests.c), each with minicheck, chardata and memcheck.
// minicheck ends a failing test with longjmp: WebAssembly's setjmp/longjmp is built on its
// exception-handling instructions (-mllvm -wasm-enable-sjlj and wasi-libc's libsetjmp).
local testSrcs(main) = [src + '/tests/' + main] + [src + '/tests/' + f + '.c' for f in ['chardata', 'minicheck', 'memcheck']];
local testFlags = flags { deps: [lib], cflags: ['-mllvm', '-wasm-enable-sjlj'], ldflags: ['-lsetjmp'] };
local runtests = cc.executable(testFlags { name: 'runtests', srcs: testSrcs('runtests.c') });
local runtestspp = cc.executable(testFlags { name: 'runtestspp', srcs: testSrcs('runtestspp.cpp') });

upstream.package({
  name: 'expat',
  version: '2.2.1',
  source: up.source,
  tarball: up.tarball,
  library: lib,
  programs: [xmlwf],
  checks: {
    runtests: checks.run({ name: 'runtests', program: runtests }),
    runtestspp: checks.run({ name: 'runtestspp', program: runtestspp }),
  },
  leftOut: {
    'xmltest.sh': "runs xmlwf over the W3C XML conformance suite (XML-Test-Suite), which is not in expat's tree",
  },
})
