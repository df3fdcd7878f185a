/* base64: RFC 4648 base64 encoding and decoding, the standard alphabet with '=' padding.
 * A small library written for wpm's package set; packages/b64 is the program that uses it. */
#ifndef BASE64_BASE64_H
#define BASE64_BASE64_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes needed to encode n bytes (without a terminating NUL). */
size_t base64_encoded_size(size_t n);

/* Encode n bytes of src into dst, which holds base64_encoded_size(n) bytes; returns that size. */
size_t base64_encode(char *dst, const unsigned char *src, size_t n);

/* Largest number of bytes that n characters of base64 can decode to. */
size_t base64_decoded_max(size_t n);

/* Decode n characters of src into dst (base64_decoded_max(n) bytes). Whitespace is skipped.
 * Returns the number of bytes written, or -1 if src is not valid base64; *bad (if not NULL)
 * is then the offset of the first offending character. */
long base64_decode(unsigned char *dst, const char *src, size_t n, size_t *bad);

#ifdef __cplusplus
}
#endif

#endif
