/* b64's command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"

static void usage(FILE *to) {
  fputs("usage: b64 [-d] [-w COLS] [FILE]\n"
        "  -d        decode instead of encode\n"
        "  -w COLS   wrap encoded lines after COLS characters (default 76, 0: never)\n",
        to);
}

int b64_parse_options(int argc, char **argv, struct b64_options *opts) {
  opts->mode = B64_ENCODE;
  opts->wrap = 76;
  opts->input = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-d") == 0 || strcmp(a, "--decode") == 0) {
      opts->mode = B64_DECODE;
    } else if (strcmp(a, "-w") == 0 && i + 1 < argc) {
      char *end;
      long cols = strtol(argv[++i], &end, 10);
      if (*end != '\0' || cols < 0) {
        fprintf(stderr, "b64: bad line width '%s'\n", argv[i]);
        return 0;
      }
      opts->wrap = (size_t)cols;
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      return -1;
    } else if (a[0] == '-' && a[1] != '\0') {
      usage(stderr);
      return 0;
    } else if (opts->input == NULL) {
      opts->input = strcmp(a, "-") == 0 ? NULL : a;
    } else {
      usage(stderr);
      return 0;
    }
  }
  return 1;
}
