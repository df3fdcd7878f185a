// hello: a C program built from source by clang.wasm; `wpm run ./result -- world` greets the world.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';

cc.executable({
  name: 'hello',
  srcs: [wpm.path(std.thisFile, 'hello.c')],
})
