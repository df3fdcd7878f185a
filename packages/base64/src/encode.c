/* base64 encoding (RFC 4648 section 4). */
#include <base64/base64.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t base64_encoded_size(size_t n) { return (n + 2) / 3 * 4; }

size_t base64_encode(char *dst, const unsigned char *src, size_t n) {
  char *out = dst;
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    unsigned long v = (unsigned long)src[i] << 16 | (unsigned long)src[i + 1] << 8 | src[i + 2];
    *out++ = alphabet[v >> 18 & 63];
    *out++ = alphabet[v >> 12 & 63];
    *out++ = alphabet[v >> 6 & 63];
    *out++ = alphabet[v & 63];
  }
  if (i < n) {
    /* One or two bytes left: pad the last quantum with '='. */
    unsigned long v = (unsigned long)src[i] << 16 | (i + 1 < n ? (unsigned long)src[i + 1] << 8 : 0);
    *out++ = alphabet[v >> 18 & 63];
    *out++ = alphabet[v >> 12 & 63];
    *out++ = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
    *out++ = '=';
  }
  return (size_t)(out - dst);
}
