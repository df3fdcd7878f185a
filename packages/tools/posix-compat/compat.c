/* See include/wpm_posix_compat.h and include/pwd.h: files have no owner in WASI, so setting one
 * succeeds and changes nothing; processes have no user, and there is no user database. */
#include "wpm_posix_compat.h"
#include <errno.h>
#include <pwd.h>

int fchown(int fd, uid_t owner, gid_t group) { (void)fd, (void)owner, (void)group; return 0; }
int chown(const char *path, uid_t owner, gid_t group) { (void)path, (void)owner, (void)group; return 0; }
int lchown(const char *path, uid_t owner, gid_t group) { (void)path, (void)owner, (void)group; return 0; }

uid_t getuid(void) { return 0; }
uid_t geteuid(void) { return 0; }
gid_t getgid(void) { return 0; }
gid_t getegid(void) { return 0; }

/* No user database: nobody is found, as for an unknown name or id. */
struct passwd *getpwuid(uid_t uid) { (void)uid; errno = ENOENT; return 0; }
struct passwd *getpwnam(const char *name) { (void)name; errno = ENOENT; return 0; }
