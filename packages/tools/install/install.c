/* install: copy build results into an output tree, creating parent directories.
 *
 * WASI programs cannot spawn processes, so the linker cannot be followed by `mkdir -p` and `cp`:
 * this small tool is wpm's own `install`, compiled with clang.wasm like every other program.
 *
 *   install SRC DEST [SRC DEST]...    copy each SRC (a file, or a directory recursively) to DEST
 *
 * Parent directories of DEST are created. Only the bytes and the executable bit matter: the store
 * normalises the rest.
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

int main(int argc, char **argv) {
  if (argc < 3 || argc % 2 == 0) {
    fprintf(stderr, "usage: install SRC DEST [SRC DEST]...\n");
    return 2;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    char *dest = strdup(argv[i + 1]);
    if (make_parents(dest) != 0 || copy_tree(argv[i], dest) != 0) return 1;
    free(dest);
  }
  return 0;
}
