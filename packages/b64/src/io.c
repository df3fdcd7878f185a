/* b64's input and output. */
#include <stdlib.h>

#include <base64/base64.h>

#include "b64.h"

unsigned char *b64_read_all(FILE *in, size_t *size) {
  size_t cap = 1 << 12, len = 0;
  unsigned char *buf = malloc(cap);
  while (buf) {
    len += fread(buf + len, 1, cap - len, in);
    if (ferror(in)) break;
    if (len < cap) {
      *size = len;
      return buf;
    }
    unsigned char *bigger = realloc(buf, cap * 2);
    if (!bigger) break;
    buf = bigger;
    cap *= 2;
  }
  free(buf);
  return NULL;
}

int b64_write_encoded(FILE *out, const unsigned char *buf, size_t size, size_t wrap) {
  size_t n = base64_encoded_size(size);
  char *text = malloc(n + 1);
  if (!text) return 1;
  base64_encode(text, buf, size);
  size_t line = wrap == 0 ? n : wrap;
  for (size_t at = 0; at < n; at += line) {
    size_t len = n - at < line ? n - at : line;
    if (fwrite(text + at, 1, len, out) != len || fputc('\n', out) == EOF) {
      free(text);
      return 1;
    }
  }
  free(text);
  return 0;
}
