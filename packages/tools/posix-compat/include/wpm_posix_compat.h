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
/* wasi-libc's chmod and fchmod fail with ENOSYS, since WASI files have no permission bits; a
 * program that copies a file's mode to its compressed copy (bzip2) then gives up on the copy.
 * Here they succeed and change nothing, as on a file system that keeps no modes. Macros, so
 * that the declarations of <sys/stat.h>, included later, name these too. */
#define chmod wpm_posix_compat_chmod
#define fchmod wpm_posix_compat_fchmod
int wpm_posix_compat_chmod(const char *path, mode_t mode);
int wpm_posix_compat_fchmod(int fd, mode_t mode);
/* No users either: every program runs as user 0, group 0. */
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
/* wasi-libc leaves mkstemp out (WASI names no temporary directory); a program that names one
 * itself ("/tmp/fileXXXXXX") gets a real implementation: a new file with a random name. */
int mkstemp(char *template_);
/* No processes: system() has no command processor, as POSIX allows (system(NULL) is 0, and a
 * command fails with -1 and ENOSYS). */
int system(const char *command);
/* WASI preview1 cannot give a second descriptor for an open file (it has fd_renumber, which
 * moves one): dup fails with ENOTSUP, and callers take their fallback (libxml2 then reads a
 * standard input that is not compressed without gzip's help). */
int dup(int fd);
#ifdef _WASI_EMULATED_SIGNAL
/* With wasi-libc's signal emulation (signal, raise) but without the rest: signal sets and the
 * signal mask, which blocks nothing since nothing is delivered asynchronously in WASI (raise()
 * runs its handler at once). Programs that mask signals around critical sections (xz's tools)
 * get the real bookkeeping. */
#include <signal.h>
#ifndef __DEFINED_sigset_t
/* musl's sigset_t, under musl's own guard, which wasi-libc leaves out with the rest. */
typedef struct __sigset_t { unsigned long __bits[128 / sizeof(long)]; } sigset_t;
#define __DEFINED_sigset_t
#endif
#ifndef SIG_BLOCK
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#endif
int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int signo);
int sigdelset(sigset_t *set, int signo);
int sigismember(const sigset_t *set, int signo);
int sigprocmask(int how, const sigset_t *set, sigset_t *oldset);
#endif
#ifdef __cplusplus
}
#endif
#endif
