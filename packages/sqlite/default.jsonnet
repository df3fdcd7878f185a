// sqlite: the real sqlite3 command-line shell, from the upstream amalgamation tarball
// (sqlite-autoconf) that the `sqlite3` npm package carries in its deps/ folder.
//   printf 'select 6*7;' | wpm run packages/sqlite/default.jsonnet            → 42
//   wpm run packages/sqlite/default.jsonnet --dir . -- ./my.db 'select 1;'
//
// Fetched as a fixed-output download pinned by its npm integrity, unpacked twice (the npm
// tarball, then the autoconf tarball inside it); sqlite3.c is the library (libsqlite3.a) and
// shell.c the program linked with it (one change to the shell does not recompile the 9 MB
// library).
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local upstream = import 'upstream.libsonnet';

local npmVersion = '6.0.1';
local sqliteVersion = '3520000';  // 3.52.0, in sqlite's own numbering as in the tarball's name

local npmTarball = wpm.fetchNpm({
  package: 'sqlite3',
  version: npmVersion,
  integrity: 'sha512-X0czUUMG2tmSqJpEQa3tCuZSHKIx8PwM53vLZzKp/o6Rpy25fiVfjdbnZ988M8+O3ZWR1ih0K255VumCb3MAnQ==',
});
// Only deps/ is wanted: the rest of the npm package is the Node binding.
local deps = wpm.unpack('sqlite3-npm-' + npmVersion + '-deps', npmTarball.out, strip=1, subdir='deps').out;
local src = wpm.unpack('sqlite-autoconf-' + sqliteVersion, deps + '/sqlite-autoconf-' + sqliteVersion + '.tar.gz', strip=1).out;

local lib = cc.staticLibrary({
  name: 'sqlite3',
  srcs: [src + '/sqlite3.c'],
  hdrs: [src + '/sqlite3.h', src + '/sqlite3ext.h'],
  // The library's configuration, which the shell must be compiled with too (it tests the same
  // macros to know what the library has).
  publicDefines: {
    // wasm32-wasip1 has no dlopen, no threads, no shared memory and no mmap. sqlite3.c defines
    // SQLITE_WASI itself under __wasi__ (dot-file locking, no fchown/fchmod/mremap); these say
    // the rest explicitly rather than relying on that.
    SQLITE_OMIT_LOAD_EXTENSION: true,
    SQLITE_THREADSAFE: 0,
    SQLITE_OMIT_WAL: true,  // WAL needs a shared-memory index (mmap of the -shm file)
    SQLITE_MAX_MMAP_SIZE: 0,
    // What upstream's configure builds the sqlite3 shell with by default (OPT_SHELL in
    // autosetup/sqlite-config.tcl, and math functions).
    SQLITE_DQS: 0,
    SQLITE_ENABLE_FTS4: true,
    SQLITE_ENABLE_RTREE: true,
    SQLITE_ENABLE_EXPLAIN_COMMENTS: true,
    SQLITE_ENABLE_UNKNOWN_SQL_FUNCTION: true,
    SQLITE_ENABLE_STMTVTAB: true,
    SQLITE_ENABLE_DBPAGE_VTAB: true,
    SQLITE_ENABLE_DBSTAT_VTAB: true,
    SQLITE_ENABLE_BYTECODE_VTAB: true,
    SQLITE_ENABLE_OFFSET_SQL_FUNC: true,
    SQLITE_ENABLE_PERCENTILE: true,
    SQLITE_STRICT_SUBTYPE: 1,
    SQLITE_ENABLE_MATH_FUNCTIONS: true,
  },
});

local shell = cc.executable({
  name: 'sqlite3',
  srcs: [src + '/shell.c'],
  deps: [lib],
  defines: {
    // The shell: no system()/popen() (.system, .shell, .once -x), as WASI cannot spawn processes.
    SQLITE_NOHAVE_SYSTEM: true,
    // The shell installs a SIGINT handler, names temporary files after its pid and times queries
    // with getrusage: wasi-libc offers these only as opt-in emulations, linked below.
    _WASI_EMULATED_SIGNAL: true,
    _WASI_EMULATED_GETPID: true,
    _WASI_EMULATED_PROCESS_CLOCKS: true,
  },
  ldflags: ['-lwasi-emulated-signal', '-lwasi-emulated-getpid', '-lwasi-emulated-process-clocks'],
});

upstream.package({
  name: 'sqlite',
  version: '3.52.0',
  source: { channel: 'npm', name: 'sqlite3', version: npmVersion },
  library: lib,
  programs: [shell],
  leftOut: {
    'make test (the TCL test suite)': "not in the amalgamation tarball, which is all any reachable channel carries; it also needs tclsh",
  },
}) + {
  // The download and the unpacked upstream source, for anyone who wants to build more of it
  // (and for the tests, which fetch the tarball once per machine).
  tarball:: npmTarball,
  src:: src,
}
