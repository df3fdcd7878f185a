// cmark-gfm 0.29.0.gfm.0: GitHub's CommonMark parser and renderer (libcmark-gfm), its GFM
// extensions (tables, strikethrough, autolinks, task lists, tag filter) and the cmark-gfm
// program, from the tree that the cmark-gfm-sys crate (0.29.0) vendors, with its API test.
//   printf '| a |\n|---|\n| b |\n' | wpm run packages/default.jsonnet -A cmark-gfm -- -e table
//
// Generated headers: config.h and cmark-gfm_version.h from upstream's .in files by Python steps
// (CMake's configure_file, with CMakeLists.txt's checks and version); the two export headers,
// which CMake's GenerateExportHeader writes, are include/ here (reviewed).
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';
local posixCompat = import '../tools/posix-compat/default.libsonnet';

local up = upstream.crate({
  crate: 'cmark-gfm-sys',
  version: '0.29.0',
  sha256: 'ed6e817288b1d95f9751a977112c73a0d551fa92b3a0aa5d18106db35265d3d3',
  dir: 'cmark-gfm',
});
local src = up.src;
local config = upstream.configureFile({
  name: 'config.h',
  template: src + '/src/config.h.in',
  cmake: true,
  vars: { HAVE_STDBOOL_H: true, HAVE___BUILTIN_EXPECT: true, HAVE___ATTRIBUTE__: true },
});
local version = upstream.configureFile({
  name: 'cmark-gfm_version.h',
  template: src + '/src/cmark-gfm_version.h.in',
  vars: { PROJECT_VERSION_MAJOR: 0, PROJECT_VERSION_MINOR: 29, PROJECT_VERSION_PATCH: 0, PROJECT_VERSION_GFM: 0 },
});
local exports = wpm.path(std.thisFile, 'include');
local flags = { defines: { CMARK_STATIC_DEFINE: true }, cstd: 'c99', includes: [src + '/src', config, version, exports] };

// src/CMakeLists.txt's LIBRARY_SOURCES and extensions/CMakeLists.txt's.
local core = cc.staticLibrary(flags {
  name: 'cmark-gfm',
  srcs: [src + '/src/' + f + '.c' for f in [
    'cmark', 'node', 'iterator', 'blocks', 'inlines', 'scanners', 'utf8', 'buffer', 'references', 'footnotes', 'map',
    'render', 'man', 'xml', 'html', 'commonmark', 'plaintext', 'latex', 'houdini_href_e', 'houdini_html_e',
    'houdini_html_u', 'cmark_ctype', 'arena', 'linked_list', 'syntax_extension', 'registry', 'plugin',
  ]],
  hdrs: [src + '/src/cmark-gfm.h', src + '/src/cmark-gfm-extension_api.h', version + '/cmark-gfm_version.h', exports + '/cmark-gfm_export.h'],
});
local extensions = cc.staticLibrary(flags {
  name: 'cmark-gfm-extensions',
  srcs: [src + '/extensions/' + f + '.c' for f in ['core-extensions', 'table', 'strikethrough', 'autolink', 'tagfilter', 'ext_scanners', 'tasklist']],
  hdrs: [src + '/extensions/cmark-gfm-core-extensions.h', exports + '/cmark-gfm-extensions_export.h'],
  deps: [core],
});
local program = cc.executable(flags { name: 'cmark-gfm', srcs: [src + '/src/main.c'], includes+: [src + '/extensions'], deps: [extensions] });
// api_test: C, with one C++ file that includes the headers from C++. harness.c writes a
// temporary file with mkstemp, which wasi-libc lacks (posix-compat has it), and opens it with
// fdopen, which wasi-libc's headers hide under strict C99: gnu99 for it.
local apiTest = cc.executable(flags {
  name: 'api_test',
  cstd: 'gnu99',
  cflags: posixCompat.cflags,
  srcs: [src + '/api_test/' + f for f in ['main.c', 'harness.c', 'cplusplus.cpp']],
  includes+: [src + '/extensions'],
  deps: [extensions, posixCompat],
});

upstream.package({
  name: 'cmark-gfm',
  version: '0.29.0.gfm.0',
  source: up.source,
  tarball: up.tarball,
  library: [core, extensions],
  programs: [program],
  checks: { api_test: checks.run({ name: 'api_test', program: apiTest }) },
  local python = 'a Python script that runs the cmark-gfm program as a subprocess or loads libcmark-gfm.so with ctypes: WASI has neither processes nor shared libraries',
  leftOut: {
    spectest: python + ' (spec_tests.py over spec.txt)',
    pathological_tests: python,
    roundtriptest: python + ' (roundtrip_tests.py)',
    entity: python + ' (entity_tests.py)',
    smartpuncttest: python + ' (spec_tests.py over smart_punct.txt)',
    regressiontest: python + ' (spec_tests.py over regression.txt)',
    extensions: python + ' (spec_tests.py over extensions*.txt)',
  },
})
