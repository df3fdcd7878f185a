/* expat_config.h for wasm32-wasip1: what expat 2.2.1's configure (from expat_config.h.in) finds
 * there, written by hand and reviewed rather than generated, since configure cannot run in a
 * WASI step. Only the macros expat's sources read are set. */
#ifndef EXPAT_CONFIG_H
#define EXPAT_CONFIG_H

/* 1234 = little endian, as WebAssembly is. */
#define BYTEORDER 1234

#define HAVE_MEMMOVE 1
#define HAVE_BCOPY 1
#define HAVE_FCNTL_H 1
#define HAVE_UNISTD_H 1
#define HAVE_STDINT_H 1
#define HAVE_INTTYPES_H 1
#define HAVE_STRING_H 1
#define HAVE_STDLIB_H 1
#define HAVE_SYS_TYPES_H 1
#define HAVE_SYS_STAT_H 1
#define STDC_HEADERS 1

/* wasi-libc's arc4random_buf draws from WASI's random_get: the hash salt's entropy. No mmap
 * (HAVE_MMAP unset), so xmlwf reads files with read(): readfilemap.c. */
#define HAVE_ARC4RANDOM_BUF 1

#define PACKAGE_BUGREPORT "expat-bugs@libexpat.org"
#define PACKAGE_NAME "expat"
#define PACKAGE_STRING "expat 2.2.1"
#define PACKAGE_TARNAME "expat"
#define PACKAGE_URL ""
#define PACKAGE_VERSION "2.2.1"

/* configure's defaults: context kept around the parse point, DTDs, namespaces. */
#define XML_CONTEXT_BYTES 1024
#define XML_DTD 1
#define XML_NS 1

#endif
