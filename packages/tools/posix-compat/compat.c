/* See include/wpm_posix_compat.h: files have no owner in WASI, so setting one succeeds and
 * changes nothing. */
#include "wpm_posix_compat.h"

int fchown(int fd, uid_t owner, gid_t group) { (void)fd, (void)owner, (void)group; return 0; }
int chown(const char *path, uid_t owner, gid_t group) { (void)path, (void)owner, (void)group; return 0; }
int lchown(const char *path, uid_t owner, gid_t group) { (void)path, (void)owner, (void)group; return 0; }
