// b64: a multi-file C program using the base64 library (packages/base64), like coreutils' base64.
//   echo hi | wpm run packages/b64/default.jsonnet          → aGkK
//   echo aGkK | wpm run packages/b64/default.jsonnet -- -d  → hi
// One object per source file: editing one of them rebuilds that object and the link, nothing else.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';

cc.executable({
  name: 'b64',
  srcs: [
    wpm.path(std.thisFile, 'src/main.c'),
    wpm.path(std.thisFile, 'src/options.c'),
    wpm.path(std.thisFile, 'src/io.c'),
  ],
  includes: [wpm.path(std.thisFile, 'include')],
  deps: [import '../base64/default.jsonnet'],
  cflags: ['-Wall', '-Wextra', '-Werror'],
})
