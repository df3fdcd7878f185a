/* tmpfile, which wasi-libc leaves out because WASI names no temporary directory: here the file
 * is made in the working directory (mkstemp, so under a fresh name) and unlinked at once, so
 * that, as POSIX asks, it is gone when it is closed or the program ends. libpng's pngstest
 * writes its images through it. Where the working directory cannot be written, it fails with
 * mkstemp's errno and callers report it. */
#include "wpm_posix_compat.h"
#include <stdio.h>
#include <unistd.h>

FILE *tmpfile(void) {
  char name[] = "tmpfile-XXXXXX";
  int fd = mkstemp(name);
  if (fd < 0) return NULL;
  unlink(name);
  FILE *f = fdopen(fd, "w+");
  if (!f) close(fd);
  return f;
}
