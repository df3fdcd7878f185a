/* POSIX functions that wasi-libc leaves out because WASI has nothing for them to act on: files
 * have no owner, processes no user. Upstream programs call them to copy a file's owner to its compressed copy;
 * here they succeed without doing anything, as on a file system that keeps no owners.
 * Force-included (-include wpm_posix_compat.h) so that upstream sources stay unmodified; packages/tools/posix-compat/default.libsonnet adds the flags and the object. */
#ifndef WPM_POSIX_COMPAT_H
#define WPM_POSIX_COMPAT_H
#include <sys/types.h>
#ifdef __cplusplus
extern "C" {
#endif
int fchown(int fd, uid_t owner, gid_t group);
int chown(const char *path, uid_t owner, gid_t group);
int lchown(const char *path, uid_t owner, gid_t group);
/* No users either: every program runs as user 0, group 0. */
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
#ifdef __cplusplus
}
#endif
#endif
