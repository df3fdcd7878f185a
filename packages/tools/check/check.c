/* check: what turns an upstream test program into a build step (cc.libsonnet's cc.check).
 *
 * A build step must write $out and fails when its program exits non-zero; an upstream test
 * program writes nothing and exits 0 or not. This object is linked into the test program with
 * `wasm-ld --wrap=__main_void --wrap=_Exit`, so that every way out of the program (returning
 * from main, exit(), _Exit()) passes through check_finish with the real status; a trap (abort,
 * a failed assert) fails the step as it is. Settings come from the environment:
 *
 *   WPM_CHECK_DIR     a directory whose contents are copied into the working directory (/build)
 *                     before main: tests that open their data by relative names, or write
 *                     beside them
 *   WPM_CHECK_STDIN   a file given to the program as its standard input
 *   WPM_CHECK_STDOUT  a file the program's standard output must equal, byte for byte
 *   WPM_CHECK_STATUS  the exit status the test expects (default 0); a test of a failure (a
 *                     corrupt file must be refused) passes when the program fails as expected
 *   WPM_CHECK_KEEP    "stdout": $out is the program's standard output, for a test that feeds
 *                     one program's output to the next (`minigzip | minigzip -d`)
 *
 * The step then exits 0 and writes a one-line report (or the output) to $out, or exits 1
 * saying why.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CAPTURE "/build/.wpm-check-stdout"

int __real___main_void(void);
_Noreturn void __real__Exit(int status);

static void die(const char *what, const char *path) {
  fprintf(stderr, "check: %s %s: %s\n", what, path, strerror(errno));
  __real__Exit(1);
}

static void copy_file(const char *src, const char *dest) {
  int in = open(src, O_RDONLY), out;
  if (in < 0) die("cannot open", src);
  if ((out = open(dest, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) die("cannot create", dest);
  static char buf[1 << 16];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0)
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(out, buf + done, (size_t)(n - done));
      if (w < 0) die("cannot write", dest);
      done += w;
    }
  if (n < 0) die("cannot read", src);
  close(in);
  close(out);
}

/* Copy the contents of directory src into dest (which exists). */
static void copy_tree(const char *src, const char *dest) {
  DIR *dir = opendir(src);
  if (!dir) die("cannot open directory", src);
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char s[4096], d[4096];
    snprintf(s, sizeof s, "%s/%s", src, e->d_name);
    snprintf(d, sizeof d, "%s/%s", dest, e->d_name);
    struct stat st;
    if (stat(s, &st) != 0) die("cannot stat", s);
    if (S_ISDIR(st.st_mode)) {
      if (mkdir(d, 0755) != 0 && errno != EEXIST) die("cannot create directory", d);
      copy_tree(s, d);
    } else {
      copy_file(s, d);
    }
  }
  closedir(dir);
}

__attribute__((constructor)) static void check_start(void) {
  const char *dir = getenv("WPM_CHECK_DIR"), *in = getenv("WPM_CHECK_STDIN");
  if (dir && *dir) copy_tree(dir, ".");
  if (in && *in && !freopen(in, "r", stdin)) die("cannot open standard input", in);
  const char *expect = getenv("WPM_CHECK_STDOUT"), *keep = getenv("WPM_CHECK_KEEP");
  if (((expect && *expect) || (keep && strcmp(keep, "stdout") == 0)) && !freopen(CAPTURE, "w", stdout)) die("cannot capture standard output in", CAPTURE);
}

/* 1 if the captured output equals the expected file, else 0 after saying where they differ. */
static int same_output(const char *expect) {
  FILE *a = fopen(CAPTURE, "rb"), *b = fopen(expect, "rb");
  if (!a || !b) die("cannot compare output with", expect);
  long line = 1, at = 0;
  for (;; at++) {
    int x = fgetc(a), y = fgetc(b);
    if (x != y) {
      fprintf(stderr, "check: output differs from %s at line %ld (byte %ld)%s\n", expect, line, at,
              x == EOF ? ": output ends early" : y == EOF ? ": output goes on" : "");
      return 0;
    }
    if (x == EOF) return 1;
    if (x == '\n') line++;
  }
}

static _Noreturn void check_finish(int status) {
  const char *want = getenv("WPM_CHECK_STATUS"), *expect = getenv("WPM_CHECK_STDOUT"), *keep = getenv("WPM_CHECK_KEEP");
  int expected = want && *want ? atoi(want) : 0;
  int ok = 1;
  if (status != expected) {
    fprintf(stderr, "check: exit status %d, expected %d\n", status, expected);
    ok = 0;
  }
  fflush(stdout);
  if (expect && *expect) ok = same_output(expect) && ok;
  if (!ok) __real__Exit(1);
  const char *out = getenv("out");
  if (out && keep && strcmp(keep, "stdout") == 0) {
    copy_file(CAPTURE, out);
    __real__Exit(0);
  }
  FILE *report = out ? fopen(out, "w") : NULL;
  if (!report) die("cannot write the report", out ? out : "($out is not set)");
  fprintf(report, "passed: exit status %d%s\n", status, expect && *expect ? ", output as expected" : "");
  fclose(report);
  __real__Exit(0);
}

/* main has returned: run exit() as _start would have (atexit handlers, stdio flush), which
 * ends in _Exit below. */
int __wrap___main_void(void) {
  exit(__real___main_void());
}

_Noreturn void __wrap__Exit(int status) { check_finish(status); }
