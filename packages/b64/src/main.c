/* b64: encode or decode base64, like coreutils' base64, using wpm's base64 library.
 *   b64 [-d] [-w COLS] [FILE]    reads FILE or stdin, writes to stdout */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <base64/base64.h>

#include "b64.h"

int main(int argc, char **argv) {
  struct b64_options opts;
  int parsed = b64_parse_options(argc, argv, &opts);
  if (parsed <= 0) return parsed < 0 ? 0 : 2;

  FILE *in = opts.input ? fopen(opts.input, "rb") : stdin;
  if (!in) {
    fprintf(stderr, "b64: %s: %s\n", opts.input, strerror(errno));
    return 1;
  }
  size_t size;
  unsigned char *buf = b64_read_all(in, &size);
  if (!buf) {
    fprintf(stderr, "b64: read error: %s\n", strerror(errno));
    return 1;
  }

  int rc = 0;
  if (opts.mode == B64_ENCODE) {
    rc = b64_write_encoded(stdout, buf, size, opts.wrap);
  } else {
    unsigned char *out = malloc(base64_decoded_max(size));
    size_t bad = 0;
    long n = out ? base64_decode(out, (const char *)buf, size, &bad) : -1;
    if (n < 0) {
      fprintf(stderr, "b64: invalid input at byte %zu\n", bad);
      rc = 1;
    } else if (fwrite(out, 1, (size_t)n, stdout) != (size_t)n) {
      rc = 1;
    }
    free(out);
  }
  free(buf);
  if (fflush(stdout) != 0) rc = 1;
  return rc;
}
