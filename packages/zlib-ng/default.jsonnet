// zlib-ng 2.1.0.devel (the snapshot the libz-ng-sys crate 1.1.8 vendors, tests and test data
// included): libz-ng with its own API (zng_*, zlib-ng.h; not the zlib-compatible build, which
// the set's zlib package is) and the minigzip and minideflate programs.
//   wpm run packages/default.jsonnet -A zlib-ng --bin minigzip -- -c < file > file.gz
//
// Built as CMakeLists.txt builds it for an architecture it has no optimised code for
// (arch/generic: wasm32 here), with the gzFile functions (WITH_GZFILEOP, its default). The
// headers are CMake's configure_file of upstream's templates with no symbol prefix (its
// default); zconf-ng.h's `#ifdef HAVE_UNISTD_H`, which CMake rewrites to `#if 1` where it finds
// unistd.h, is HAVE_UNISTD_H defined for the library and its users instead. The other defines
// are what CMakeLists.txt's checks find on wasm32-wasip1.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';

local version = '2.1.0.devel';
local up = upstream.crate({
  crate: 'libz-ng-sys',
  version: '1.1.8',
  sha256: '4399ae96a9966bf581e726de86969f803a81b7ce795fcd5480e640589457e0f2',
  dir: 'src/zlib-ng',
});
local src = up.src;

local configure(name, template=name + '.in') = upstream.configureFile({ name: name, template: src + '/' + template, vars: { ZLIB_SYMBOL_PREFIX: '' } });
local zlibNgH = configure('zlib-ng.h');
local zconfNgH = configure('zconf-ng.h');
local mangling = configure('zlib_name_mangling-ng.h');
local gzread = configure('gzread.c');

local defines = {
  WITH_GZFILEOP: true,
  HAVE_POSIX_MEMALIGN: true,
  HAVE_VISIBILITY_HIDDEN: true,
  HAVE_BUILTIN_CTZ: true,
  HAVE_BUILTIN_CTZLL: true,
};
local lib = cc.staticLibrary({
  name: 'z-ng',
  srcs: [src + '/' + f + '.c' for f in ['adler32', 'adler32_fold', 'chunkset', 'compare256', 'compress', 'cpu_features',
                                         'crc32_braid', 'crc32_braid_comb', 'crc32_fold', 'deflate', 'deflate_fast',
                                         'deflate_huff', 'deflate_medium', 'deflate_quick', 'deflate_rle', 'deflate_slow',
                                         'deflate_stored', 'functable', 'infback', 'inffast', 'inflate', 'inftrees',
                                         'insert_string', 'insert_string_roll', 'slide_hash', 'trees', 'uncompr', 'zutil',
                                         'gzlib', 'gzwrite']]
        + [gzread + '/gzread.c'],
  hdrs: [zlibNgH + '/zlib-ng.h', zconfNgH + '/zconf-ng.h', mangling + '/zlib_name_mangling-ng.h'],
  publicDefines: { HAVE_UNISTD_H: true },
  defines: defines,
  includes: [src],
});
// The test programs and tools include zlib-ng's private headers (zbuild.h, zutil.h, …).
local program(name, file, extra={}) = cc.executable({ name: name, srcs: [src + '/' + file], deps: [lib], defines: defines, includes: [src] } + extra);
local minigzip = program('minigzip', 'test/minigzip.c');
local minideflate = program('minideflate', 'test/minideflate.c');
local switchlevels = program('switchlevels', 'test/switchlevels.c');

// cmake/test-compress.cmake: compress INPUT (on stdin) with one program, decompress the result
// with another and compare with INPUT; two checks, the first keeping its output.
local roundTrip(name, input, compress, decompress=null, compressArgs=['-k', '-c'], decompressArgs=['-d', '-c'], compare=true) =
  local packed = checks.run({ name: name + '-compress', program: compress, args: compressArgs, stdin: input, keepStdout: true });
  {
    [name + '-compress']: packed,
    [name + '-decompress']: checks.run({
      name: name + '-decompress',
      program: if decompress == null then compress else decompress,
      args: decompressArgs,
      stdin: packed.out,
    } + (if compare then { stdout: input } else {})),
  };
// CMakeLists.txt's test_minigzip over test/data with each TEST_CONFIGS entry, and -A (detect text).
local configs = { R: ['-R'], h: ['-h'], T: ['-T'], '0': ['-0'], '1': ['-1'], '4': ['-4'], '5F': ['-5', '-F'], '6': ['-6'], '9': ['-9'], '9f': ['-9', '-f'] };
local dataFiles = ['fireworks.jpg', 'lcet10.txt', 'paper-100k.pdf'];
local minigzipTests = std.foldl(function(acc, t) acc + t, [
  // Named as test-compress.cmake names its files: dots become dashes (attribute paths split at dots).
  roundTrip('minigzip-' + std.strReplace(f, '.', '-') + '-' + c, src + '/test/data/' + f, minigzip, compressArgs=['-k', '-c'] + configs[c])
  for f in dataFiles
  for c in std.objectFields(configs)
] + [
  roundTrip('minigzip-detect-text-A', src + '/test/data/lcet10.txt', minigzip, compressArgs=['-k', '-c', '-A']),
  roundTrip('minigzip-detect-binary-A', src + '/test/data/paper-100k.pdf', minigzip, compressArgs=['-k', '-c', '-A']),
], {});
local deflateRaw(level, fixed) = ['-c', '-k', '-m', '1', '-w', '-15', '-s', '4'] + (if fixed then ['-F'] else []) + ['-' + level];
local cve2018 = std.foldl(function(acc, t) acc + t, [
  roundTrip('CVE-2018-25032-' + kind + '-level-' + level, src + '/test/CVE-2018-25032/' + kind + '.txt', minideflate,
            compressArgs=deflateRaw(level, kind == 'fixed'), decompressArgs=['-c', '-k', '-d', '-m', '1', '-w', '-15', '-' + level])
  for kind in ['fixed', 'default']
  for level in ['6', '1', '2']
], {});
local run(name, program, args=[], extra={}) = checks.run({ name: name, program: program, args: args } + extra);
// tools/make*.c print the tables that upstream's headers hold: the output must equal them.
// They are built from the sources they need, not against the library (as CMakeLists.txt builds
// them), with its headers.
local headers = [zlibNgH, zconfNgH, mangling, src];
local tool(name, srcs, header) = run(name, cc.executable({ name: name, srcs: [src + '/' + s for s in srcs], defines: defines { HAVE_UNISTD_H: true }, includes: headers }),
                                     extra={ stdout: src + '/' + header });

upstream.package({
  name: 'zlib-ng',
  version: version,
  source: up.source,
  tarball: up.tarball,
  library: lib,
  programs: [minigzip, minideflate],
  checks: minigzipTests + cve2018 + {
    example: run('example', program('example', 'test/example.c')),
    infcover: run('infcover', program('infcover', 'test/infcover.c')),
    makefixed: tool('makefixed', ['tools/makefixed.c', 'inftrees.c'], 'inffixed_tbl.h'),
    maketrees: tool('maketrees', ['tools/maketrees.c', 'trees.c', 'zutil.c'], 'trees_tbl.h'),
    makecrct: tool('makecrct', ['tools/makecrct.c'], 'crc32_braid_tbl.h'),
    'minigzip-help': run('minigzip-help', minigzip, ['--help']),
    'minigzip-invalid': run('minigzip-invalid', minigzip, ['--invalid'], { status: 64 }),
    'minideflate-help': run('minideflate-help', minideflate, ['--help']),
    'minideflate-invalid': run('minideflate-invalid', minideflate, ['--invalid'], { status: 64 }),
    'switchlevels-help': run('switchlevels-help', switchlevels, ['--help']),
  } + {
    // Corrupt gzip files of old zlib CVEs: minigzip -d must not crash (upstream accepts exit 0 or 1).
    [cve]: run(cve, minigzip, ['-d'], { stdin: src + '/test/' + cve + '/test.gz', status: 1 })
    for cve in ['CVE-2002-0059', 'CVE-2004-0797', 'CVE-2005-1849', 'CVE-2005-2096']
  } + roundTrip('GH-361', src + '/test/GH-361/test.txt', minigzip, compressArgs=['-c', '-k', '-4'])
    + roundTrip('GH-364', src + '/test/GH-364/test.bin', switchlevels, minigzip, compressArgs=['1', '5', '9', '3'])
    + roundTrip('GH-382', src + '/test/GH-382/defneg3.dat', minideflate,
                compressArgs=['-c', '-m', '1', '-w', '-15', '-1', '-s', '4'], decompressArgs=['-c', '-d', '-m', '1', '-w', '-15'])
    + roundTrip('GH-536-segfault', src + '/test/data/lcet10.txt', switchlevels, minigzip, compressArgs=['6', '9744', '1', '91207'], compare=false)
    + roundTrip('GH-536-incomplete-read', src + '/test/data/lcet10.txt', switchlevels, minigzip,
                compressArgs=['6', '88933', '1', '195840', '2', '45761'], compare=false)
    + roundTrip('GH-536-zero-stored-block', src + '/test/data/lcet10.txt', switchlevels, minigzip,
                compressArgs=['6', '15248', '1', '1050', '2', '25217'], compare=false)
    + roundTrip('GH-751', src + '/test/GH-751/test.txt', minigzip),
  leftOut: {
    gtest_zlib: "test/*.cc, Google Test suites: googletest is fetched from GitHub at configure time and is not in the crate",
    'test-compress.cmake (its gzip half)': "each compressed file is also decompressed by the host's gzip: a host program, which no build step can run",
    fuzzers: 'test/fuzz, built only WITH_FUZZERS, as libFuzzer targets',
  },
})
