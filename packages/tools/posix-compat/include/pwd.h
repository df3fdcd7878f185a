/* <pwd.h>, which wasi-libc does not have: WASI has no user database. getpwuid and getpwnam find
 * no one (NULL), so a program falls back as it would for an unknown user (jq then reads $HOME).
 * Part of wpm's posix-compat (see wpm_posix_compat.h); upstream sources stay unmodified. */
#ifndef WPM_PWD_H
#define WPM_PWD_H
#include <sys/types.h>
#ifdef __cplusplus
extern "C" {
#endif
struct passwd {
  char *pw_name;
  char *pw_passwd;
  uid_t pw_uid;
  gid_t pw_gid;
  char *pw_gecos;
  char *pw_dir;
  char *pw_shell;
};
struct passwd *getpwuid(uid_t uid);
struct passwd *getpwnam(const char *name);
#ifdef __cplusplus
}
#endif
#endif
