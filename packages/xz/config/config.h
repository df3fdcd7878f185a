/* config.h for XZ Utils 5.2.5 (liblzma, xzdec, lzmainfo) on wasm32-wasip1: what its configure
 * finds there with its defaults, written by hand and reviewed, since configure cannot run in a
 * WASI step. */
#ifndef XZ_CONFIG_H
#define XZ_CONFIG_H

#define PACKAGE "xz"
#define PACKAGE_NAME "XZ Utils"
#define PACKAGE_URL "https://tukaani.org/xz/"
#define PACKAGE_BUGREPORT "lasse.collin@tukaani.org"

/* Every filter, match finder and check, as configure enables by default. */
#define HAVE_ENCODERS 1
#define HAVE_DECODERS 1
#define HAVE_ENCODER_LZMA1 1
#define HAVE_DECODER_LZMA1 1
#define HAVE_ENCODER_LZMA2 1
#define HAVE_DECODER_LZMA2 1
#define HAVE_ENCODER_DELTA 1
#define HAVE_DECODER_DELTA 1
#define HAVE_ENCODER_X86 1
#define HAVE_DECODER_X86 1
#define HAVE_ENCODER_POWERPC 1
#define HAVE_DECODER_POWERPC 1
#define HAVE_ENCODER_IA64 1
#define HAVE_DECODER_IA64 1
#define HAVE_ENCODER_ARM 1
#define HAVE_DECODER_ARM 1
#define HAVE_ENCODER_ARMTHUMB 1
#define HAVE_DECODER_ARMTHUMB 1
#define HAVE_ENCODER_SPARC 1
#define HAVE_DECODER_SPARC 1
#define HAVE_MF_HC3 1
#define HAVE_MF_HC4 1
#define HAVE_MF_BT2 1
#define HAVE_MF_BT3 1
#define HAVE_MF_BT4 1
#define HAVE_CHECK_CRC32 1
#define HAVE_CHECK_CRC64 1
#define HAVE_CHECK_SHA256 1

/* Headers and types of a C99 libc. */
#define HAVE_STDBOOL_H 1
#define HAVE__BOOL 1
#define HAVE_STDINT_H 1
#define HAVE_INTTYPES_H 1
#define HAVE_LIMITS_H 1
#define HAVE_STRING_H 1
#define HAVE_STRINGS_H 1
#define HAVE_MEMORY_H 1
#define HAVE_FCNTL_H 1
#define HAVE_UINTPTR_T 1
#define HAVE_CLOCK_GETTIME 1
#define HAVE_DECL_CLOCK_MONOTONIC 1
#define HAVE_FUTIMENS 1
#define HAVE_POSIX_FADVISE 1
#define HAVE_OPTRESET 0
#define HAVE_VISIBILITY 0

/* wasm32 is ILP32: size_t is 4 bytes. Little endian (no WORDS_BIGENDIAN). */
#define SIZEOF_SIZE_T 4

/* Unaligned access is safe in WebAssembly (every load and store may be unaligned). */
#define TUKLIB_FAST_UNALIGNED_ACCESS 1

/* No threads (no MYTHREAD_POSIX): liblzma is single-threaded, as configure makes it with
 * --disable-threads; no method to count cores or physical memory (TUKLIB_CPUCORES_*,
 * TUKLIB_PHYSMEM_*), so tuklib reports 0, which xz's tools take for "unknown". */

#endif
