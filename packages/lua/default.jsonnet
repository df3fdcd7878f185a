// Lua 5.4.8: liblua and the `lua` interpreter, with Lua's own test suite (testes/), from the
// Lua source tree (Lua's development repository at the 5.4.8 release) that lupa's source
// distribution on PyPI (2.8) vendors as third-party/lua54.
//   echo 'print(6 * 7)' | wpm run packages/default.jsonnet -A lua
//
// luac is not built: luac.c is not in Lua's repository (it comes with the release tarballs
// alone), and no reachable channel vendors a 5.4 release tarball with it. Lua is built as ISO C
// (the makefile's `generic` platform), with config/lua_wasi.h as LUA_USER_H for what a POSIX
// build answers differently (isatty, os.tmpname); see that file.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';
local posixCompat = import '../tools/posix-compat/default.libsonnet';

local version = '5.4.8';
local up = upstream.pypi({
  package: 'lupa',
  version: '2.8',
  url: 'https://files.pythonhosted.org/packages/c3/a6/0f869fbb07c393f15473b1eefefb7b5bec162fb7481803d040ed4dc46002/lupa-2.8.tar.gz',
  sha256: 'd8022641b9ec8ecf2c5ecbe9f47e5a70e0b87c4b5ae921b92cb02a638e0acd08',
  dir: 'third-party/lua54',
});
local src = up.src;
local config = wpm.path(std.thisFile, 'config');
local testsConfig = wpm.path(std.thisFile, 'tests-config');

// The makefile's CORE_O, AUX_O and LIB_O (without ltests.o, which only a TESTS build compiles).
// Lua raises errors with longjmp (ldo.c): WebAssembly's setjmp/longjmp is built on its
// exception-handling instructions (-mllvm -wasm-enable-sjlj and wasi-libc's libsetjmp). The
// clock of os.clock and the SIGINT handler of lua.c come from wasi-libc's emulations; os.execute
// and io.tmpfile from posix-compat (no command processor; a file in the working directory).
local flags(userH, includes=[]) = {
  cstd: 'c99',
  defines: { LUA_USER_H: '"' + userH + '"', _WASI_EMULATED_PROCESS_CLOCKS: true, _WASI_EMULATED_SIGNAL: true },
  includes: includes + [config, src],
  cflags: ['-mllvm', '-wasm-enable-sjlj'] + posixCompat.cflags,
  deps: [posixCompat],
};
local sources = ['lapi', 'lcode', 'lctype', 'ldebug', 'ldo', 'ldump', 'lfunc', 'lgc', 'llex', 'lmem', 'lobject', 'lopcodes',
                 'lparser', 'lstate', 'lstring', 'ltable', 'ltm', 'lundump', 'lvm', 'lzio', 'lauxlib', 'lbaselib', 'ldblib',
                 'liolib', 'lmathlib', 'loslib', 'ltablib', 'lstrlib', 'lutf8lib', 'loadlib', 'lcorolib', 'linit'];
local library(name, userH, extra=[], includes=[]) = cc.staticLibrary(flags(userH, includes) {
  name: name,
  srcs: [src + '/' + f + '.c' for f in sources + extra],
  hdrs: [src + '/' + h for h in ['lua.h', 'luaconf.h', 'lualib.h', 'lauxlib.h']],
  linkflags: ['-lsetjmp', '-lwasi-emulated-process-clocks', '-lwasi-emulated-signal'],
});
local lib = library('lua', 'lua_wasi.h');
local lua = cc.executable(flags('lua_wasi.h') { name: 'lua', srcs: [src + '/lua.c'], deps: [lib] });
// The makefile's internal-test build (TESTS): the same sources and ltests.c with ltests.h as
// LUA_USER_H (tests-config/lua_wasi_tests.h adds it to this package's own), a second `lua` for
// the checks only, with which the test suite runs its tests of the internals (T).
local luaT = cc.executable(flags('lua_wasi_tests.h', [testsConfig]) {
  name: 'lua-T',
  srcs: [src + '/lua.c'],
  deps: [library('lua-T', 'lua_wasi_tests.h', ['ltests'], [testsConfig])],
});

// testes/all.lua runs the test files one after another; `lua -e_U=true all.lua` is its "user
// tests" mode (_soft: no long or memory-hungry tests; _port: no tests of one platform's
// behaviour; _nomsg; no T, the internal-test library a TESTS build links in). Each file is a
// check of its own here, run with the settings all.lua gives it, in a copy of testes/ (files
// load each other by relative name), once with `lua` and once with the internal-test build,
// with T. all.lua itself is left out, as it runs the two files below
// that fail for wasi-libc's reasons.
local files = ['gc', 'db', 'calls', 'strings', 'tpack', 'gengc', 'locals', 'constructs', 'code',
               'cstack', 'nextvar', 'pm', 'utf8', 'api', 'events', 'vararg', 'closure', 'coroutine', 'goto', 'errors',
               'math', 'sort', 'bitwise', 'verybig', 'files'];
local testFile(name, setup, program=lua, prefix='lua-') = checks.run({
  name: prefix + name,
  program: program,
  args: ['-e', setup, name + '.lua'],
  dir: src + '/testes',
  // files.lua first asserts that os.getenv('PATH') is a string; a step's environment has only
  // what it is given. Nix's builders get this same value.
  env: { PATH: '/path-not-set' },
});

upstream.package({
  name: 'lua',
  version: version,
  source: up.source,
  tarball: up.tarball,
  library: lib,
  programs: [lua],
  checks: { [f]: testFile(f, '_soft=true _port=true _nomsg=true') for f in files }
          + { ['T-' + f]: testFile(f, '_soft=true _port=true _nomsg=true', luaT, 'lua-T-') for f in files },
  leftOut: {
    'literals.lua': "its decimal-point test sets the locale 'pt_BR' and expects tonumber('3,4') == 3.4: wasi-libc's setlocale (musl's) accepts any name without locale data, so the call succeeds and the decimal point stays '.' (as on musl Linux)",
    'attrib.lua': "package.searchpath over a path whose last template is empty must find nothing: wasi-libc opens the path '' as the working directory (its relative paths are resolved against the preopens, where '' becomes '.'), so fopen('') succeeds",
    'all.lua': 'runs every file below in one process, literals.lua and attrib.lua included; each other file is a check of its own here',
    'main.lua': 'tests the lua program by starting it with os.execute and io.popen: WASI cannot start processes (the file returns at once under _port)',
    'big.lua': 'all.lua runs it only with _soft off (long and memory-hungry); under _soft it returns at once',
    'heavy.lua': 'not run by all.lua: tests that exhaust memory with strings and tables of gigabytes',
    'libs/ (attrib.lua with _port off)': 'C modules loaded by require from shared libraries: WASI has no dlopen',
  },
})
