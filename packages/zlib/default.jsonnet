// zlib 1.2.11: the library (libz.a, zlib.h) and minigzip, its gzip-like program, from the zlib
// source tree that the libz-sys crate (1.0.25) vendors whole, tests included.
//   echo hello | wpm run packages/default.jsonnet -A zlib --bin minigzip | wpm run … --bin minigzip -- -d
//
// zlib's configure only turns two #ifdefs of zconf.h on (HAVE_UNISTD_H, HAVE_STDARG_H): the
// same as defining them, for zlib and for every package that includes zconf.h.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';

local version = '1.2.11';
local up = upstream.crate({
  crate: 'libz-sys',
  version: '1.0.25',
  sha256: '2eb5e43362e38e2bca2fd5f5134c4d4564a23a5c28e9b95411652021a8675ebe',
  dir: 'src/zlib',
});
local src = up.src;

local lib = cc.staticLibrary({
  name: 'z',
  srcs: [src + '/' + f + '.c' for f in ['adler32', 'compress', 'crc32', 'deflate', 'gzclose', 'gzlib', 'gzread',
                                         'gzwrite', 'infback', 'inffast', 'inflate', 'inftrees', 'trees', 'uncompr', 'zutil']],
  hdrs: [src + '/zlib.h', src + '/zconf.h'],
  publicDefines: { HAVE_UNISTD_H: true, HAVE_STDARG_H: true },
  includes: [src],
});
// infcover tests inflate's internals, and includes zlib's private headers.
local program(name, includes=[]) = cc.executable({ name: name, srcs: [src + '/test/' + name + '.c'], deps: [lib], includes: includes });
local minigzip = program('minigzip');

// zlib's `make test` (teststatic): `echo hello world | ./minigzip | ./minigzip -d && ./example`;
// `make cover`: ./infcover.
local hello = wpm.writeText('hello.txt', 'hello world\n');
local compressed = checks.run({ name: 'minigzip', program: minigzip, stdin: hello, keepStdout: true });

upstream.package({
  name: 'zlib',
  version: version,
  source: up.source,
  tarball: up.tarball,
  library: lib,
  programs: [minigzip],
  checks: {
    example: checks.run({ name: 'example', program: program('example'), args: ['foo.gz'] }),
    minigzip: compressed,
    'minigzip-d': checks.run({ name: 'minigzip-d', program: minigzip, args: ['-d'], stdin: compressed.out, stdout: hello }),
    infcover: checks.run({ name: 'infcover', program: program('infcover', [src]) }),
  },
  leftOut: {
    testshared: 'the same tests against libz.so: wasm32-wasip1 programs are linked statically',
    test64: 'the same tests with -D_FILE_OFFSET_BITS=64, which changes nothing where off_t is already 64 bits (WASI)',
  },
})
