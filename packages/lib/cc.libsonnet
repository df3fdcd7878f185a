// C and C++ with clang.wasm. One derivation per source file (editing one file rebuilds one object),
// then a separate wasm-ld step: WASI has no processes, so clang's driver cannot run the linker
// itself. The link line is the one `clang -###` prints for wasm32-wasip1.
local wpm = import 'wpm.libsonnet';
local toolchain = import '../toolchains/clang/default.libsonnet';

local sysroot = toolchain.sysroot;
local targetFlags = ['--target=wasm32-wasip1', '--sysroot=' + sysroot, '-resource-dir=' + sysroot];
local libDir = sysroot + '/lib/wasm32-wasip1';

local baseName(p) = local parts = std.split(p, '/'); parts[std.length(parts) - 1];
// Store paths carry a hash prefix: '/wpm/store/<32 chars>-hello.c' → 'hello.c'.
local sourceName(p) = local b = baseName(p); if std.startsWith(p, '/wpm/store/') && std.length(b) > 33 then std.substr(b, 33, std.length(b) - 33) else b;
local stem(name) = local parts = std.split(name, '.'); if std.length(parts) > 1 then std.join('.', parts[:std.length(parts) - 1]) else name;
local isCxx(src) = std.member(['cc', 'cpp', 'cxx', 'C'], std.split(src, '.')[std.length(std.split(src, '.')) - 1]);

local defineFlags(defines) = [
  if defines[k] == true then '-D' + k else '-D%s=%s' % [k, defines[k]]
  for k in std.objectFields(defines)
  if defines[k] != false
];

// Include directories of library dependencies, transitively.
local depIncludes(deps) = std.flattenArrays([d.includes + depIncludes(d.deps) for d in deps]);
local depArchives(deps) = std.flattenArrays([[d.archive] + depArchives(d.deps) for d in deps]);

local cc = {
  toolchain:: toolchain,

  // Compile one source file. Fields: src (store path), lang ('c' or 'c++', default from the
  // extension), cflags, defines ({NAME: value | true}), includes (store paths of directories),
  // deps (libraries from staticLibrary, for their headers), opt (default '-O2').
  object(o)::
    local src = o.src;
    local cxx = if std.objectHas(o, 'lang') then o.lang == 'c++' else isCxx(src);
    wpm.derivation({
      name: if std.objectHas(o, 'name') then o.name else stem(sourceName(src)) + '.o',
      builder: toolchain.llvm,
      args: [if cxx then 'clang++' else 'clang'] + targetFlags
            + [if std.objectHas(o, 'opt') then o.opt else '-O2']
            + defineFlags(std.get(o, 'defines', {}))
            + ['-I' + i for i in std.get(o, 'includes', []) + depIncludes(std.get(o, 'deps', []))]
            + std.get(o, 'cflags', [])
            + ['-c', src, '-o', wpm.placeholder('out')],
    }),

  // Link objects (store paths of .o files) and archives into a single .wasm file.
  link(l)::
    local cxx = std.get(l, 'cxx', false);
    wpm.derivation({
      name: l.name + '.wasm',
      builder: toolchain.llvm,
      args: ['wasm-ld', '-m', 'wasm32', '-L' + libDir, libDir + '/crt1-command.o']
            + l.objects
            + std.get(l, 'archives', [])
            + (if cxx then ['-lc++', '-lc++abi'] else [])
            + std.get(l, 'ldflags', [])
            + ['-lc', sysroot + '/lib/wasm32-unknown-wasip1/libclang_rt.builtins.a', '-o', wpm.placeholder('out')],
    }),

  // A program: objects for each source, a link step, then $out/bin/<name>.wasm.
  // Fields: name, srcs, and anything `object` takes (applied to every source), deps, ldflags.
  executable(e)::
    local common = { [k]: e[k] for k in std.objectFields(e) if std.member(['lang', 'cflags', 'defines', 'includes', 'deps', 'opt'], k) };
    local objects = [cc.object(common + { src: s }) for s in e.srcs];
    local cxx = std.get(e, 'lang', '') == 'c++' || std.length([s for s in e.srcs if isCxx(s)]) > 0;
    local linked = cc.link({
      name: e.name,
      objects: [o.out for o in objects],
      archives: depArchives(std.get(e, 'deps', [])),
      cxx: cxx,
      ldflags: std.get(e, 'ldflags', []),
    });
    wpm.derivation({
      name: e.name,
      builder: installTool,
      args: ['install', linked.out, wpm.placeholder('out') + '/bin/' + e.name + '.wasm'],
    }) + { objects:: objects, linked:: linked },
},

// wpm's own install tool (see packages/tools/install), compiled by the same toolchain.
installTool = cc.link({
  name: 'install',
  objects: [cc.object({ src: wpm.path(std.thisFile, '../tools/install/install.c') }).out],
}).out;

cc
