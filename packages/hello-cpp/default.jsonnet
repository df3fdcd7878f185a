// hello-cpp: C++ with iostream, compiled by clang++.wasm and linked with libc++.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';

cc.executable({
  name: 'hello-cpp',
  srcs: [wpm.path(std.thisFile, 'hello.cpp')],
  cxxflags: ['-std=c++20'],
})
