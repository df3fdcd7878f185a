// mimalloc 2.1.2: Microsoft's general-purpose allocator, the library (libmimalloc.a, mimalloc.h)
// with its API tests, from the mimalloc tree that the libmimalloc-sys crate (0.1.34) vendors.
// mimalloc has no command-line program. On WASI it takes memory from the heap with sbrk
// (src/prim/wasi/prim.c, upstream's own port), and is used through its mi_ API (mi_malloc,
// mi_heap_*), beside wasi-libc's malloc: replacing malloc itself (MI_OVERRIDE) is what
// CMake's shared library does on Linux, by interposing symbols a static archive cannot.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';

local up = upstream.crate({
  crate: 'libmimalloc-sys',
  version: '0.1.34',
  sha256: '25d058a81af0d1c22d7a1c948576bee6d673f7af3c0f35564abd6c81122f513d',
  dir: 'c_src/mimalloc',
});
local src = up.src;

// src/static.c, which includes every source of CMakeLists.txt's mi_sources: upstream's
// single-unit build (CMake's mimalloc-obj, and what the crate compiles). The WASI port
// (src/prim/wasi/prim.c) only compiles that way: it uses os.c's static mi_align_up_ptr and the
// headers os.c included before it. The static library's definitions (MI_STATIC_LIB) and a
// Release build, as CMake's default.
local flags = {
  defines: { MI_STATIC_LIB: true, NDEBUG: true },
  includes: [src + '/include'],
};
local lib = cc.staticLibrary(flags {
  name: 'mimalloc',
  srcs: [src + '/src/static.c'],
  includes+: [src + '/src'],
  // src/prim/prim.c chooses sbrk for WASI (MI_USE_SBRK) but nothing includes <unistd.h>, which
  // declares it: older compilers let the call through as an implicit declaration, clang 16 and
  // later refuse it. The header is given here instead.
  cflags: ['-include', 'unistd.h'],
  hdrs: [src + '/include/' + h for h in ['mimalloc.h', 'mimalloc-override.h', 'mimalloc-new-delete.h']],
});

// CMakeLists.txt's tests (MI_BUILD_TESTS): test-api, test-api-fill and test-stress, each a
// program that exits non-zero when a check fails; test-api-fill is the one that builds here. The tests include mimalloc/types.h, one of
// the library's private headers (for MI_DEBUG), so they see the source tree's include/.
local test(name) = checks.run({
  name: name,
  program: cc.executable(flags { name: name, srcs: [src + '/test/' + name + '.c'], deps: [lib] }),
});

upstream.package({
  name: 'mimalloc',
  version: '2.1.2',
  source: up.source,
  tarball: up.tarball,
  library: lib,
  checks: { 'test-api-fill': test('test-api-fill') },
  leftOut: {
    'test-api': "calls mi_realpath, which src/alloc.c leaves out under __wasi__ (wasi-libc had no realpath when it was written): the test program does not link unmodified",
    'test-stress': 'moves objects between threads it starts with pthread_create (run_os_threads), which wasm32-wasip1 has not; the thread count only sets how many',
  },
})
