// yyjson 0.10.0: a JSON library in ANSI C (libyyjson.a, yyjson.h) with its test suite and test
// data, from the yyjson tree that the yyjson-sys crate (0.1.0) vendors. yyjson has no
// command-line program.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';

local up = upstream.crate({
  crate: 'yyjson-sys',
  version: '0.1.0',
  sha256: '4ed7a5810c650d227cae9d2cb1c73cf0d6d5901181cb2a53dc07007dfcead82c',
  dir: 'yyjson',
});
local src = up.src;

local lib = cc.staticLibrary({
  name: 'yyjson',
  srcs: [src + '/src/yyjson.c'],
  hdrs: [src + '/src/yyjson.h'],
  includes: [src + '/src'],
});

// CMakeLists.txt's tests (YYJSON_BUILD_TESTS): every test/test_*.c is a program of its own,
// linked with yyjson_test_utils (test/util), compiled as C99; a failing assertion aborts. CMake
// copies test/data beside the programs and gives that place as YYJSON_TEST_DATA_PATH: here the
// check's working directory holds a copy of test/ (checks.run's `dir`), so the path is '.'.
local testUtils = cc.staticLibrary({
  name: 'yyjson_test_utils',
  srcs: [src + '/test/util/yy_test_utils.c', src + '/test/util/goo_double_conv.c'],
  hdrs: [src + '/test/util/yy_test_utils.h', src + '/test/util/goo_double_conv.h'],
  cstd: 'c99',
});
local withData = ['test_err_code', 'test_json_reader', 'test_number', 'test_roundtrip'];
local tests = ['test_allocator', 'test_json_merge_patch', 'test_json_mut_val', 'test_json_patch', 'test_json_pointer',
               'test_json_val', 'test_json_writer', 'test_string'] + withData;
local test(name) = checks.run({
  name: 'yyjson-' + name,
  program: cc.executable({
    name: name,
    srcs: [src + '/test/' + name + '.c'],
    cstd: 'c99',
    defines: { YYJSON_TEST_DATA_PATH: '"."' },
    deps: [lib, testUtils],
  }),
} + (if std.member(withData, name) then { dir: src + '/test' } else {}));

upstream.package({
  name: 'yyjson',
  version: '0.10.0',
  source: up.source,
  tarball: up.tarball,
  library: lib,
  checks: { [t]: test(t) for t in tests },
})
