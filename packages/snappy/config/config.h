/* config.h for snappy 1.1.3 on wasm32-wasip1: what its configure.ac finds there, written by hand
 * and reviewed, since configure cannot run in a WASI step. */
#ifndef SNAPPY_CONFIG_H
#define SNAPPY_CONFIG_H

/* clang has both builtins. */
#define HAVE_BUILTIN_EXPECT 1
#define HAVE_BUILTIN_CTZ 1

#define HAVE_STDDEF_H 1
#define HAVE_STDINT_H 1
#define HAVE_SYS_TIME_H 1
/* getrusage, for the benchmarks' CPU times: wasi-libc's process-clocks emulation. */
#define HAVE_SYS_RESOURCE_H 1
/* No sys/mman.h (and no mmap/mprotect): the unit test's guarded allocations take their
 * fallback, plain new[]. No windows.h, byteswap.h, sys/endian.h. No gtest, no gflags: the
 * unit test uses its own small harness and flag variables, as without those libraries. No
 * compression libraries to compare against (zlib, lzo2, lzf, fastlz, quicklz). */

#endif
