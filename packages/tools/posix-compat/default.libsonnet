// A library of the POSIX calls wasi-libc lacks because WASI has nothing for them to change
// (file owners, users, processes, the signal mask): see include/wpm_posix_compat.h; and tmpfile
// (tmpfile.c), which <stdio.h> declares but wasi-libc leaves out. A package whose unmodified
// sources call them depends on it: deps: [posixCompat], cflags: posixCompat.cflags.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';

cc.staticLibrary({
  name: 'wpm-posix-compat',
  srcs: [wpm.path(std.thisFile, 'compat.c'), wpm.path(std.thisFile, 'signals.c'), wpm.path(std.thisFile, 'tmpfile.c')],
  hdrs: [wpm.path(std.thisFile, 'include/wpm_posix_compat.h'), wpm.path(std.thisFile, 'include/pwd.h')],
}) + {
  cflags:: ['-include', 'wpm_posix_compat.h'],
}
