/* config.h for Oniguruma 6.9.10 on wasm32-wasip1: what its configure finds there (the macros of
 * src/config.h.cmake.in), written by hand and reviewed, since configure cannot run in a WASI
 * step. wasm32 is an ILP32 target: int, long and pointers are 4 bytes. */
#ifndef ONIG_CONFIG_H
#define ONIG_CONFIG_H

#define HAVE_ALLOCA 1
#define HAVE_ALLOCA_H 1
#define HAVE_STDINT_H 1
#define HAVE_INTTYPES_H 1
#define HAVE_SYS_TYPES_H 1
#define HAVE_SYS_TIME_H 1
#define HAVE_UNISTD_H 1
/* No HAVE_SYS_TIMES_H: wasi-libc has <sys/times.h> only as an emulation, and Oniguruma uses it
 * only for its own profiling builds. */

#define PACKAGE "onig"
#define PACKAGE_VERSION "6.9.10"
#define VERSION "6.9.10"

#define SIZEOF_INT 4
#define SIZEOF_LONG 4
#define SIZEOF_LONG_LONG 8
#define SIZEOF_VOIDP 4

#endif
