// Oniguruma 6.9.10: the regular expression library (Ruby's and jq's), from the oniguruma source
// tree that the onig_sys crate (69.9.3) vendors, tests included. Oniguruma has no program; jq
// in this set uses it.
//
// config.h, which configure would write, is config/config.h here (reviewed). The POSIX API
// (regposix.c, --enable-posix-api) is left out, as configure does by default, and with it the
// test of that API, testp.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';

local up = upstream.crate({
  crate: 'onig_sys',
  version: '69.9.3',
  sha256: '1e68317604e77e53b85896388e1a803c1d21b74c899ec9e5e1112db90735edd7',
  dir: 'oniguruma',
});
local src = up.src;
local config = wpm.path(std.thisFile, 'config');

// src/Makefile.am's libonig_la_SOURCES.
local sources = [
  'regparse', 'regcomp', 'regexec', 'regenc', 'regerror', 'regext', 'regsyntax', 'regtrav', 'regversion', 'st',
  'reggnu', 'unicode', 'unicode_unfold_key', 'unicode_fold1_key', 'unicode_fold2_key', 'unicode_fold3_key',
  'ascii', 'utf8', 'utf16_be', 'utf16_le', 'utf32_be', 'utf32_le', 'euc_jp', 'euc_jp_prop', 'sjis', 'sjis_prop',
  'iso8859_1', 'iso8859_2', 'iso8859_3', 'iso8859_4', 'iso8859_5', 'iso8859_6', 'iso8859_7', 'iso8859_8',
  'iso8859_9', 'iso8859_10', 'iso8859_11', 'iso8859_13', 'iso8859_14', 'iso8859_15', 'iso8859_16',
  'euc_tw', 'euc_kr', 'big5', 'gb18030', 'koi8_r', 'cp1251', 'onig_init',
];
local lib = cc.staticLibrary({
  name: 'onig',
  srcs: [src + '/src/' + f + '.c' for f in sources],
  hdrs: [src + '/src/oniguruma.h', src + '/src/onigposix.h'],
  defines: { HAVE_CONFIG_H: true },
  includes: [config, src + '/src'],
});
// test/Makefile.am's TESTS without the POSIX API: testcu is testu.c. test_regset times its
// searches with clock(), which wasi-libc offers as an emulation.
local test(name, file=name) = checks.run({
  name: name,
  program: cc.executable({
    name: name,
    srcs: [src + '/test/' + file + '.c'],
    deps: [lib],
    includes: [src + '/src'],
    defines: { _WASI_EMULATED_PROCESS_CLOCKS: true },
    ldflags: ['-lwasi-emulated-process-clocks'],
  }),
});

upstream.package({
  name: 'oniguruma',
  version: '6.9.10',
  source: up.source,
  tarball: up.tarball,
  library: lib,
  checks: {
    test_utf8: test('test_utf8'),
    test_syntax: test('test_syntax'),
    test_options: test('test_options'),
    testc: test('testc'),
    testcu: test('testcu', 'testu'),
    test_regset: test('test_regset'),
    test_back: test('test_back'),
  },
  leftOut: {
    testp: 'tests the POSIX API, which configure leaves out by default (--enable-posix-api) and so does this package',
  },
})
