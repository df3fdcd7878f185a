/* See include/wpm_posix_compat.h: signal sets and a signal mask for programs built with
 * wasi-libc's signal emulation, which has signal() and raise() but not these. Nothing is
 * delivered asynchronously in WASI, so the mask is bookkeeping only. */
#define _WASI_EMULATED_SIGNAL 1
#include <errno.h>
#include <string.h>
#include "wpm_posix_compat.h"

#define BITS (8 * sizeof(unsigned long))
#define WORDS (sizeof(sigset_t) / sizeof(unsigned long))

static sigset_t mask;

static int valid(int signo) { return signo > 0 && (size_t)signo <= 8 * sizeof(sigset_t); }

int sigemptyset(sigset_t *set) { memset(set, 0, sizeof *set); return 0; }
int sigfillset(sigset_t *set) { memset(set, 0xff, sizeof *set); return 0; }

int sigaddset(sigset_t *set, int signo) {
  if (!valid(signo)) return errno = EINVAL, -1;
  ((unsigned long *)set)[(signo - 1) / BITS] |= 1UL << ((signo - 1) % BITS);
  return 0;
}

int sigdelset(sigset_t *set, int signo) {
  if (!valid(signo)) return errno = EINVAL, -1;
  ((unsigned long *)set)[(signo - 1) / BITS] &= ~(1UL << ((signo - 1) % BITS));
  return 0;
}

int sigismember(const sigset_t *set, int signo) {
  if (!valid(signo)) return errno = EINVAL, -1;
  return (((const unsigned long *)set)[(signo - 1) / BITS] >> ((signo - 1) % BITS)) & 1;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *oldset) {
  sigset_t old = mask;
  if (set) {
    unsigned long *m = (unsigned long *)&mask;
    const unsigned long *s = (const unsigned long *)set;
    for (size_t i = 0; i < WORDS; i++) {
      if (how == SIG_BLOCK) m[i] |= s[i];
      else if (how == SIG_UNBLOCK) m[i] &= ~s[i];
      else if (how == SIG_SETMASK) m[i] = s[i];
      else return errno = EINVAL, -1;
    }
  }
  if (oldset) *oldset = old;
  return 0;
}
