/* See include/wpm_posix_compat.h and include/pwd.h: files have no owner in WASI, so setting one
 * succeeds and changes nothing; processes have no user, and there is no user database. */
#include "wpm_posix_compat.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>

int fchown(int fd, uid_t owner, gid_t group) { (void)fd, (void)owner, (void)group; return 0; }
int chown(const char *path, uid_t owner, gid_t group) { (void)path, (void)owner, (void)group; return 0; }
int lchown(const char *path, uid_t owner, gid_t group) { (void)path, (void)owner, (void)group; return 0; }

int wpm_posix_compat_chmod(const char *path, mode_t mode) { (void)path, (void)mode; return 0; }
int wpm_posix_compat_fchmod(int fd, mode_t mode) { (void)fd, (void)mode; return 0; }

uid_t getuid(void) { return 0; }
uid_t geteuid(void) { return 0; }
gid_t getgid(void) { return 0; }
gid_t getegid(void) { return 0; }

/* No user database: nobody is found, as for an unknown name or id. */
struct passwd *getpwuid(uid_t uid) { (void)uid; errno = ENOENT; return 0; }
struct passwd *getpwnam(const char *name) { (void)name; errno = ENOENT; return 0; }

/* The last six characters of template_ ("XXXXXX") become random letters and digits until a file
 * of that name can be created (O_EXCL), as POSIX describes mkstemp. */
int mkstemp(char *template_) {
  static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  size_t len = strlen(template_);
  if (len < 6 || strcmp(template_ + len - 6, "XXXXXX") != 0) {
    errno = EINVAL;
    return -1;
  }
  for (int attempt = 0; attempt < 100; attempt++) {
    for (size_t i = len - 6; i < len; i++) template_[i] = chars[arc4random_uniform(sizeof chars - 1)];
    int fd = open(template_, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  errno = EEXIST;
  return -1;
}

int system(const char *command) {
  if (!command) return 0;
  errno = ENOSYS;
  return -1;
}

int dup(int fd) {
  (void)fd;
  errno = ENOTSUP;
  return -1;
}
