// base64: a small C library written for wpm's package set (packages/b64 is its program).
// Each source is its own store path, so editing one rebuilds one object and the archive.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';

cc.staticLibrary({
  name: 'base64',
  srcs: [
    wpm.path(std.thisFile, 'src/encode.c'),
    wpm.path(std.thisFile, 'src/decode.c'),
  ],
  // The public headers, installed as $out/include/base64/base64.h; the library's own sources
  // include them the way its users do (<base64/base64.h>).
  hdrs: wpm.path(std.thisFile, 'include'),
  cflags: ['-Wall', '-Wextra', '-Werror'],
})
