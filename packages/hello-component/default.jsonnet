// hello-component: the hello program (the same hello.c, the same objects and link step) as a
// WASI 0.2 command component: builtin:component-new wraps the wasip1 module with the preview1
// command adapter. `wpm run ./result -- world` prints what hello prints.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';

cc.executable({
  name: 'hello',
  srcs: [wpm.path(std.thisFile, '../hello/hello.c')],
  component: true,
})
