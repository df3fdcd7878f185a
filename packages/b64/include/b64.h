/* b64: the parts of the program, shared between its source files. */
#ifndef B64_H
#define B64_H

#include <stddef.h>
#include <stdio.h>

enum b64_mode { B64_ENCODE, B64_DECODE };

struct b64_options {
  enum b64_mode mode;
  size_t wrap; /* encoded line length, 0 for one line */
  const char *input; /* a file name, or NULL for stdin */
};

/* Parse the command line; prints usage and returns 0 on bad arguments, -1 for --help. */
int b64_parse_options(int argc, char **argv, struct b64_options *opts);

/* Read a whole stream into a malloc'd buffer; returns NULL (errno set) on failure. */
unsigned char *b64_read_all(FILE *in, size_t *size);

/* Write buf as base64 in lines of `wrap` characters (0: no wrapping), ending with a newline. */
int b64_write_encoded(FILE *out, const unsigned char *buf, size_t size, size_t wrap);

#endif
