/* install: copy build results into an output tree, creating parent directories.
 *
 * WASI programs cannot spawn processes, so the linker cannot be followed by `mkdir -p` and `cp`:
 * this small tool is wpm's own `install`, compiled with clang.wasm like every other program.
 *
 *   install SRC DEST [SRC DEST]...    copy each SRC (a file, or a directory recursively) to DEST
 *   install --program MODULE DEST     copy a linked WebAssembly module without its module name
 *
 * Parent directories of DEST are created. Only the bytes and the executable bit matter: the store
 * normalises the rest.
 *
 * Why --program: wasm-ld names the module after its output file, which is the link step's store
 * path, in the "name" section. Copied as it is, a program would refer to the link step's output
 * and keep it in its closure (in every cache and copy) for no use. The module name is the only
 * part dropped; function names stay, for traces.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what, const char *path) {
  fprintf(stderr, "install: %s %s: %s\n", what, path, strerror(errno));
  return 1;
}

static int make_parents(char *path) {
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(path, 0755) != 0 && errno != EEXIST) return fail("cannot create directory", path);
    *p = '/';
  }
  return 0;
}

static int copy_file(const char *src, const char *dest, mode_t mode) {
  int in = open(src, O_RDONLY);
  if (in < 0) return fail("cannot open", src);
  int out = open(dest, O_WRONLY | O_CREAT | O_TRUNC, (mode & 0111) ? 0755 : 0644);
  if (out < 0) {
    close(in);
    return fail("cannot create", dest);
  }
  static char buf[1 << 16];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0) {
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(out, buf + done, (size_t)(n - done));
      if (w < 0) return fail("cannot write", dest);
      done += w;
    }
  }
  if (n < 0) return fail("cannot read", src);
  close(in);
  return close(out) == 0 ? 0 : fail("cannot close", dest);
}

static int copy_tree(const char *src, const char *dest) {
  struct stat st;
  if (lstat(src, &st) != 0) return fail("cannot stat", src);
  if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t len = readlink(src, target, sizeof target - 1);
    if (len < 0) return fail("cannot read link", src);
    target[len] = '\0';
    return symlink(target, dest) == 0 ? 0 : fail("cannot create link", dest);
  }
  if (!S_ISDIR(st.st_mode)) return copy_file(src, dest, st.st_mode);
  if (mkdir(dest, 0755) != 0 && errno != EEXIST) return fail("cannot create directory", dest);
  DIR *dir = opendir(src);
  if (!dir) return fail("cannot open directory", src);
  struct dirent *e;
  int rc = 0;
  while (rc == 0 && (e = readdir(dir)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    size_t ls = strlen(src), ld = strlen(dest), ln = strlen(e->d_name);
    char *s = malloc(ls + ln + 2), *d = malloc(ld + ln + 2);
    sprintf(s, "%s/%s", src, e->d_name);
    sprintf(d, "%s/%s", dest, e->d_name);
    rc = copy_tree(s, d);
    free(s);
    free(d);
  }
  closedir(dir);
  return rc;
}

/* Unsigned LEB128 at *p (before end); advances *p. Returns -1 if malformed. */
static long read_leb(const unsigned char **p, const unsigned char *end) {
  unsigned long v = 0;
  for (int shift = 0; *p < end && shift < 35; shift += 7) {
    unsigned char b = *(*p)++;
    v |= (unsigned long)(b & 0x7f) << shift;
    if (!(b & 0x80)) return (long)v;
  }
  return -1;
}

static void write_leb(FILE *f, unsigned long v) {
  do {
    unsigned char b = v & 0x7f;
    v >>= 7;
    fputc(v ? b | 0x80 : b, f);
  } while (v);
}

static int copy_program(const char *src, const char *dest) {
  FILE *in = fopen(src, "rb");
  if (!in) return fail("cannot open", src);
  struct stat st;
  if (fstat(fileno(in), &st) != 0) return fail("cannot stat", src);
  size_t len = (size_t)st.st_size;
  /* data, then room for the rewritten name section's subsections (never longer than the file) */
  unsigned char *data = malloc(2 * len + 1), *rest = data + len;
  if (!data || fread(data, 1, len, in) != len) return fail("cannot read", src);
  fclose(in);
  if (len < 8 || memcmp(data, "\0asm\1\0\0\0", 8) != 0) {
    fprintf(stderr, "install: %s: not a WebAssembly module\n", src);
    return 1;
  }
  FILE *out = fopen(dest, "wb");
  if (!out) return fail("cannot create", dest);
  fwrite(data, 1, 8, out);
  const unsigned char *p = data + 8, *end = data + len;
  while (p < end) {
    const unsigned char *start = p;
    unsigned char id = *p++;
    long size = read_leb(&p, end);
    if (size < 0 || size > end - p) {
      fclose(out);
      fprintf(stderr, "install: %s: malformed section at byte %ld\n", src, (long)(start - data));
      return 1;
    }
    const unsigned char *body = p, *next = p + size;
    p = next;
    long name_len = id == 0 ? read_leb(&body, next) : -1;
    if (name_len != 4 || next - body < 4 || memcmp(body, "name", 4) != 0) {
      fwrite(start, 1, (size_t)(next - start), out);
      continue;
    }
    /* The name section without its module-name subsection (id 0): the others as they are. A
     * name section that does not parse is copied as it is: engines do not check custom sections,
     * so the module is valid all the same. */
    const unsigned char *q = body + 4;
    size_t kept = 0;
    int malformed = 0;
    while (q < next) {
      const unsigned char *sub = q;
      unsigned char sub_id = *q++;
      long sub_size = read_leb(&q, next);
      if (sub_size < 0 || sub_size > next - q) {
        malformed = 1;
        break;
      }
      q += sub_size;
      if (sub_id == 0) continue;
      memcpy(rest + kept, sub, (size_t)(q - sub));
      kept += (size_t)(q - sub);
    }
    if (malformed) {
      fwrite(start, 1, (size_t)(next - start), out);
      continue;
    }
    fputc(0, out);
    write_leb(out, 5 + kept);
    fputc(4, out);
    fwrite("name", 1, 4, out);
    fwrite(rest, 1, kept, out);
  }
  int failed = ferror(out);
  if (fclose(out) != 0 || failed) return fail("cannot write", dest);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--program") == 0) {
    if (argc != 4) {
      fprintf(stderr, "usage: install --program MODULE DEST\n");
      return 2;
    }
    char *dest = strdup(argv[3]);
    return make_parents(dest) != 0 || copy_program(argv[2], dest) != 0;
  }
  if (argc < 3 || argc % 2 == 0) {
    fprintf(stderr, "usage: install SRC DEST [SRC DEST]... | install --program MODULE DEST\n");
    return 2;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    char *dest = strdup(argv[i + 1]);
    if (make_parents(dest) != 0 || copy_tree(argv[i], dest) != 0) return 1;
    free(dest);
  }
  return 0;
}
