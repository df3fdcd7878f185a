/* base64 decoding (RFC 4648 section 4), strict about the alphabet and padding but tolerant of
 * line breaks and other whitespace, as produced by `base64` and MIME. */
#include <base64/base64.h>

static int value_of(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

static int is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

size_t base64_decoded_max(size_t n) { return n / 4 * 3 + 3; }

long base64_decode(unsigned char *dst, const char *src, size_t n, size_t *bad) {
  unsigned long acc = 0;
  int have = 0, pad = 0;
  long out = 0;
  for (size_t i = 0; i < n; i++) {
    char c = src[i];
    if (is_space(c)) continue;
    if (c == '=') {
      /* Padding may only complete the last quantum: "xx==" or "xxx=". */
      if (have + pad < 2 || have + pad >= 4) goto invalid;
      pad++;
      continue;
    }
    int v = value_of(c);
    if (v < 0 || pad > 0) goto invalid;
    acc = acc << 6 | (unsigned long)v;
    if (++have == 4) {
      dst[out++] = (unsigned char)(acc >> 16);
      dst[out++] = (unsigned char)(acc >> 8);
      dst[out++] = (unsigned char)acc;
      acc = 0;
      have = 0;
    }
    continue;
  invalid:
    if (bad) *bad = i;
    return -1;
  }
  if (have + pad == 0) return out;
  if (have + pad != 4 || have < 2) {
    if (bad) *bad = n;
    return -1;
  }
  acc <<= 6 * pad;
  dst[out++] = (unsigned char)(acc >> 16);
  if (have == 3) dst[out++] = (unsigned char)(acc >> 8);
  return out;
}
