/* crc32: print the CRC-32 (IEEE 802.3, as zlib and `gzip -l` compute it) of stdin or of each
 * file named, like `crc32` from Perl's Archive::Zip. The lookup table is generated at build
 * time by a Python step (gen_table.py). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crc32_table.h"

static int crc_stream(FILE *in, uint32_t *crc) {
  unsigned char buf[1 << 14];
  uint32_t c = 0xffffffffu;
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
    for (size_t i = 0; i < n; i++) c = crc32_table[(c ^ buf[i]) & 0xff] ^ (c >> 8);
  }
  *crc = c ^ 0xffffffffu;
  return ferror(in) ? -1 : 0;
}

int main(int argc, char **argv) {
  uint32_t crc;
  if (argc < 2) {
    if (crc_stream(stdin, &crc) != 0) return 1;
    printf("%08x\n", crc);
    return 0;
  }
  int rc = 0;
  for (int i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    if (!f || crc_stream(f, &crc) != 0) {
      fprintf(stderr, "crc32: %s: %s\n", argv[i], strerror(errno));
      rc = 1;
    } else {
      printf("%08x  %s\n", crc, argv[i]);
    }
    if (f) fclose(f);
  }
  return rc;
}
