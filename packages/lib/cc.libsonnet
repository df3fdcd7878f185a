// C and C++ with clang.wasm, for wasm32-wasip1.
//
// One derivation per source file, so editing one file rebuilds one object; then an archive step
// (llvm-ar) for a library or a link step (wasm-ld) for a program. WASI has no processes, so
// clang's driver cannot run the linker itself: the link line is the one `clang -###` prints.
// Files are placed into an output tree by wpm's own `install` tool (packages/tools/install),
// because nothing else in a WASI step can `mkdir -p && cp`.
//
//   cc.object({ src, … })                    one .o file
//   cc.staticLibrary({ name, srcs, hdrs, … })  $out/lib/lib<name>.a and $out/include/…
//   cc.executable({ name, srcs, … })          $out/bin/<name>.wasm (component: true for a wasip2 component)
//
// Compile fields, accepted by all three:
//   lang      'c' or 'c++'; by default from each source's extension (.cc .cpp .cxx .C are C++)
//   opt       optimisation flag, default '-O2'
//   defines   { NAME: true | 'value' | number | false } (false leaves NAME undefined)
//   includes  directories (store paths) searched for headers, this target only
//   cflags    extra flags for every source; cxxflags: extra flags for C++ sources only
//   cstd, cxxstd  the language standard of C and C++ sources ('c99', 'gnu11', 'c++11', …);
//             clang's defaults (gnu17, gnu++17) when absent
//   deps      libraries made by staticLibrary: their headers, public defines and archives,
//             transitively (a library's own deps come along)
// Includes are searched in this order: the target's own `includes` as listed (a library's own
// headers first), then each library of `deps` in link order, then the sysroot.
// A source in `srcs` is a store path, or { src, defines, cflags, name } for one file that needs
// more than the target's flags (a test's main renamed, a file built twice with other defines).
//
// Everything the compiler writes names sources by stable relative names, not store paths
// (prefixMap below): a program's closure is the program alone, not its source tree.
//
// C++ uses the sysroot's libc++, which was built without exceptions (its libc++abi has no
// __cxa_throw), so C++ is compiled with -fno-exceptions by default: `throw` is then a compile
// error instead of an undefined symbol at link time, and a library function that would throw
// aborts with its message. RTTI (typeid, dynamic_cast) works and stays on.
local wpm = import 'wpm.libsonnet';
local toolchain = import '../toolchains/clang/default.libsonnet';
local components = import '../toolchains/wasm-tools/default.libsonnet';

local llvm = toolchain.llvm;
local sysroot = toolchain.sysroot;
local targetFlags = ['--target=wasm32-wasip1', '--sysroot=' + sysroot, '-resource-dir=' + sysroot];
local libDir = sysroot + '/lib/wasm32-wasip1';
local builtins = sysroot + '/lib/wasm32-unknown-wasip1/libclang_rt.builtins.a';
local cxxDefaultFlags = ['-fno-exceptions'];
local checkRuntimeSrc = wpm.path(std.thisFile, '../tools/check/check.c');

local baseName(p) = local parts = std.split(p, '/'); parts[std.length(parts) - 1];
// Store paths carry a hash prefix: '/wpm/store/<32 chars>-hello.c' → 'hello.c'. A file inside a
// store directory ('/wpm/store/<hash>-sqlite/sqlite3.c') already has its plain name.
local sourceName(p) =
  local b = baseName(p);
  if std.startsWith(p, '/wpm/store/') && std.length(std.split(p, '/')) == 4 && std.length(b) > 33
  then std.substr(b, 33, std.length(b) - 33) else b;
local extension(name) = local parts = std.split(name, '.'); if std.length(parts) > 1 then parts[std.length(parts) - 1] else '';
local stem(name) = local parts = std.split(name, '.'); if std.length(parts) > 1 then std.join('.', parts[:std.length(parts) - 1]) else name;
local isCxxSource(src) = std.member(['cc', 'cpp', 'cxx', 'C', 'c++'], extension(sourceName(src)));

// Keep the first occurrence of each element (a library reached twice through a diamond must not
// repeat its link flags); order otherwise as given.
local uniq(xs) = std.foldl(function(acc, x) if std.member(acc, x) then acc else acc + [x], xs, []);

local defineFlags(defines) = [
  local v = defines[k];
  if v == true then '-D' + k else '-D' + k + '=' + std.toString(v)
  for k in std.objectFields(defines)
  if defines[k] != false
];

// Every library a target depends on, transitively, each once, a library before the libraries it
// depends on (the order static archives are linked in). A library keeps its direct deps in a
// hidden field. Libraries are compared by drvPath, which is cheap; comparing the objects would
// compare all their fields.
local closure(deps) =
  local all = std.flattenArrays([[d] + closure(d._cc.deps) for d in deps]);
  local n = std.length(all);
  // Keep the last occurrence: in A→B, A→C, B→C the walk gives A B C C, and C must come after B.
  [all[i] for i in std.range(0, n - 1) if std.length([j for j in std.range(i + 1, n - 1) if all[j].drvPath == all[i].drvPath]) == 0];

// Store paths → stable names in all the compiler writes (__FILE__ and so assert messages, debug
// info, coverage): '/wpm/store/<hash>-zlib-1.2.11/deflate.c' becomes 'zlib-1.2.11/deflate.c'.
// Without it a program embedding __FILE__ refers to its source tree, which then follows it into
// every copy, cache and closure. `paths` are the store paths a compile reads (sources, include
// directories, the sysroot). This is the one place that decides how sources are named in a
// compiler's output; an error message's names would be decided here too.
local storeRoot(p) = std.join('/', std.split(p, '/')[:4]);
local prefixMap(paths) = uniq([
  '-ffile-prefix-map=' + storeRoot(p) + '=' + sourceName(storeRoot(p))
  for p in paths
  if std.startsWith(p, '/wpm/store/')
]);

// The flags shared by every source of one target, computed once per target rather than once per
// file (libjsonnet re-evaluates object fields on every access; locals once).
local compileSettings(t) =
  local deps = closure(std.get(t, 'deps', []));
  local depDefines = std.foldl(function(acc, d) acc + d._cc.defines, deps, {});
  local includes = std.get(t, 'includes', []) + [d._cc.include for d in deps if d._cc.include != null];
  local common = targetFlags
                 + [std.get(t, 'opt', '-O2')]
                 + defineFlags(depDefines + std.get(t, 'defines', {}))
                 + ['-I' + i for i in includes]
                 + prefixMap(includes + [sysroot])
                 + std.get(t, 'cflags', []);
  local std_(field) = if std.objectHas(t, field) then ['-std=' + t[field]] else [];
  {
    deps: deps,
    lang: std.get(t, 'lang', null),
    c: std_('cstd') + common,
    cxx: std_('cxxstd') + common + cxxDefaultFlags + std.get(t, 'cxxflags', []),
  };

// A misspelt field would otherwise be ignored ('cflag' for 'cflags'), and a plain file name would
// only fail when clang cannot find it: both are refused here, naming the target (an unknown
// field at its own line, through wpm.fieldError). Hidden fields
// and fields starting with '_' are the caller's own.
local compileFields = ['lang', 'opt', 'defines', 'includes', 'cflags', 'cxxflags', 'cstd', 'cxxstd', 'deps'];
local checked(what, t, fields) =
  local unknown = [f for f in std.objectFields(t) if !std.startsWith(f, '_') && !std.member(fields, f)];
  if std.length(unknown) > 0
  then wpm.fieldError(unknown[0], what + ": unknown field '" + unknown[0] + "' (fields: " + std.join(', ', fields) + ')')
  else t;
local storePathArg(what, field, p) =
  if std.isString(p) && std.startsWith(p, '/wpm/store/') then p
  else if std.isString(p) then error what + ': ' + field + " '" + p + "' is not a store path: use wpm.path(std.thisFile, '" + p + "')"
  else error what + ': ' + field + ' must be a store path, got ' + std.type(p);
// Each source as { src, defines, cflags, name }: a plain store path has none of the extras.
local sourceFields = ['src', 'defines', 'cflags', 'name'];
local sourceOf(what, s) =
  if std.isObject(s) then checked(what + ' source', s, sourceFields) + { src: storePathArg(what, 'src', s.src) }
  else { src: storePathArg(what, 'source', s) };
local sourcesOf(what, t) =
  local srcs = if std.objectHas(t, 'srcs') then t.srcs else error what + ": 'srcs' is missing (a list of store paths)";
  if std.isArray(srcs) then [sourceOf(what, s) for s in srcs]
  else error what + ": 'srcs' must be a list of store paths, got " + std.type(srcs);
local targetName(kind, t) = kind + " '" + std.get(t, 'name', '?') + "'";

// One source ({ src, defines, cflags, name }, as sourceOf gives) → one object.
local compile(settings, s) =
  local src = s.src;
  local cxx = if settings.lang != null then settings.lang == 'c++' else isCxxSource(src);
  wpm.derivation({
    name: std.get(s, 'name', stem(sourceName(src)) + '.o'),
    builder: llvm,
    args: [if cxx then 'clang++' else 'clang']
          + (if cxx then settings.cxx else settings.c)
          + defineFlags(std.get(s, 'defines', {}))
          + std.get(s, 'cflags', [])
          + prefixMap([src])
          + ['-c', src, '-o', wpm.placeholder('out')],
  });

local srcPath(s) = if std.isObject(s) then s.src else s;
local usesCxx(t) = std.get(t, 'lang', '') == 'c++' || std.length([s for s in std.get(t, 'srcs', []) if isCxxSource(srcPath(s))]) > 0;

// An archive's members are named after the files given to llvm-ar; an object's own file name is
// its store path's, whose hash part would make the archive refer to every object (and keep them
// all alive). So the objects are first copied under their plain names ('deflate.o'; a second
// 'list.o' becomes 'list-2.o'), and the archive is made from the copies.
local memberNames(objects) =
  local names = [o.name for o in objects];
  [
    local earlier = std.length([j for j in std.range(0, i - 1) if names[j] == names[i]]);
    if earlier == 0 then names[i] else stem(names[i]) + '-' + (earlier + 1) + '.o'
    for i in std.range(0, std.length(names) - 1)
  ];

local cc = {
  toolchain:: toolchain + { installTool: installTool },

  // One object file. Fields: src (a store path), name (default: the source's stem + '.o'), and
  // the compile fields above.
  object(o)::
    local what = 'cc.object';
    local t = checked(what, o, ['src', 'name'] + compileFields);
    compile(compileSettings(t), { src: storePathArg(what, 'src', t.src) } + (if std.objectHas(t, 'name') then { name: t.name } else {})),

  // Link objects and archives (store paths) into one .wasm file with the link line of clang's
  // driver for wasm32-wasip1. Fields: name, objects, archives, cxx (link libc++), ldflags
  // (before -lc, e.g. ['-lwasi-emulated-mman']).
  link(l0)::
    local l = checked(targetName('cc.link', l0), l0, ['name', 'objects', 'archives', 'ldflags', 'cxx']);
    wpm.derivation({
      name: l.name + '.wasm',
      builder: llvm,
      args: ['wasm-ld', '-m', 'wasm32', '-L' + libDir, libDir + '/crt1-command.o']
            + l.objects
            + std.get(l, 'archives', [])
            + std.get(l, 'ldflags', [])
            + (if std.get(l, 'cxx', false) then ['-lc++', '-lc++abi'] else [])
            + ['-lc', builtins, '-o', wpm.placeholder('out')],
    }),

  // A static library: $out/lib/lib<name>.a and its public headers under $out/include.
  // Fields, besides the compile fields:
  //   name, srcs     the library and its sources (store paths)
  //   hdrs           public headers: a directory (store path) that becomes $out/include, or a
  //                  list of files copied to $out/include/<file name>
  //   publicDefines  defines that dependents are compiled with too (and this library itself)
  //   linkflags      flags every program linking this library needs, e.g. a wasi-emulated lib
  // Dependents do not use $out: they compile against the headers alone and link the archive
  // alone (hidden field _cc), as Bazel separates headers from archives. So editing a library
  // source recompiles that source, re-archives and relinks dependents, but recompiles none of
  // their objects; $out is for people and other tools.
  staticLibrary(l0)::
    local what = targetName('cc.staticLibrary', l0);
    local l = checked(what, l0, ['name', 'srcs', 'hdrs', 'publicDefines', 'linkflags'] + compileFields);
    local srcs = sourcesOf(what, l);
    local out = wpm.placeholder('out');
    local hdrs = std.get(l, 'hdrs', []);
    // A list of header files becomes one directory of its own, which depends on the headers only.
    local headers =
      if std.isString(hdrs) then hdrs
      else if hdrs == [] then null
      else wpm.derivation({
        name: l.name + '-headers',
        builder: installTool,
        args: ['install'] + std.flattenArrays([[h, out + '/' + sourceName(h)] for h in hdrs]),
      }).out;
    // The library's own sources see its public headers as its users do, and its public defines.
    local settings = compileSettings(l + {
      defines: std.get(l, 'publicDefines', {}) + std.get(l, 'defines', {}),
      includes: (if headers == null then [] else [headers]) + std.get(l, 'includes', []),
    });
    local objects = [compile(settings, s) for s in srcs];
    local members = memberNames(objects);
    local staged = wpm.derivation({
      name: l.name + '-objects',
      builder: installTool,
      args: ['install'] + std.flattenArrays([[objects[i].out, out + '/' + members[i]] for i in std.range(0, std.length(objects) - 1)]),
    }).out;
    local archive = wpm.derivation({
      name: 'lib' + l.name + '.a',
      builder: llvm,
      // q: append (two members may share a name), c: no warning when creating, s: symbol index
      // (wasm-ld needs it), D: zero timestamps, uids and modes, so the archive is the same bytes
      // everywhere.
      args: ['llvm-ar', 'qcsD', wpm.placeholder('out')] + [staged + '/' + m for m in members],
    }).out;
    // A local, computed once: a field (as _cc.cxx) is computed again on every access, and each
    // dependent reads it.
    local cxx = usesCxx(l);
    local lib = wpm.derivation({
      name: l.name,
      builder: installTool,
      args: ['install', archive, out + '/lib/lib' + l.name + '.a']
            + (if headers == null then [] else [headers, out + '/include']),
    });
    lib + {
      objects:: objects,
      archive:: archive,
      _cc:: {
        include: headers,
        archive: archive,
        defines: std.get(l, 'publicDefines', {}),
        linkflags: std.get(l, 'linkflags', []),
        cxx: cxx,
        deps: std.get(l, 'deps', []),
      },
    },

  // A program: one object per source, a wasm-ld step, then $out/bin/<name>.wasm.
  // Fields: name, srcs, the compile fields, ldflags, component, stackSize.
  // stackSize: bytes of C stack, default 8 MiB as a Linux program's main thread has. wasm-ld's
  // own default is 64 KiB, and upstream programs written for Linux overflow it (lz4's
  // decompressor keeps 64 KiB buffers on the stack): the overflow runs below address 0 and
  // traps far from its cause.
  // The linked module is a WASI preview1 command. With `component: true` (default false), a
  // builtin:component-new step takes the install step's place: it wraps the module with the
  // preview1 command adapter and writes the WASI 0.2 command component (wasm32-wasip2) to
  // $out/bin/<name>.wasm. Objects and the link step are the same either way.
  executable(e0)::
    local what = targetName('cc.executable', e0);
    local e = checked(what, e0, ['name', 'srcs', 'ldflags', 'component', 'stackSize'] + compileFields);
    local settings = compileSettings(e);
    local objects = [compile(settings, s) for s in sourcesOf(what, e)];
    local deps = settings.deps;
    local linkSpec = {
      name: e.name,
      objects: [o.out for o in objects],
      archives: [d._cc.archive for d in deps],
      cxx: usesCxx(e) || std.length([d for d in deps if d._cc.cxx]) > 0,
      ldflags: ['-z', 'stack-size=' + std.get(e, 'stackSize', 8 * 1024 * 1024)]
               + std.get(e, 'ldflags', []) + uniq(std.flattenArrays([d._cc.linkflags for d in deps])),
    };
    local linked = cc.link(linkSpec);
    // `install --program` copies the module without the name wasm-ld gave it, the link step's
    // own store path: kept, it would hold the link output in the program's closure.
    local program =
      if std.get(e, 'component', false)
      then components.componentNew({
        name: e.name,
        module: wpm.derivation({
          name: e.name + '-module.wasm',
          builder: installTool,
          args: ['install', '--program', linked.out, wpm.placeholder('out')],
        }).out,
        output: 'bin/' + e.name + '.wasm',
      })
      else wpm.derivation({
        name: e.name,
        builder: installTool,
        args: ['install', '--program', linked.out, wpm.placeholder('out') + '/bin/' + e.name + '.wasm'],
      });
    program + { objects:: objects, linked:: linked, linkSpec:: linkSpec, programName:: e.name },

  // The same program linked with wpm's check runtime (packages/tools/check), to be run as a build
  // step by checks.libsonnet: every way out of the program (return from main, exit, _Exit)
  // reaches the runtime with its status, which passes or fails the step and writes $out. The
  // objects are the program's own; only this link is extra. The result is the .wasm file.
  testProgram(exe)::
    cc.link(exe.linkSpec + {
      name: exe.linkSpec.name + '-test',
      objects: super.objects + [checkRuntime],
      ldflags: super.ldflags + ['--wrap=__main_void', '--wrap=_Exit'],
    }).out,
},

// wpm's own install tool (see packages/tools/install), compiled by the same toolchain.
installTool = cc.link({
  name: 'install',
  objects: [cc.object({ src: wpm.path(std.thisFile, '../tools/install/install.c') }).out],
}).out,
checkRuntime = cc.object({ src: checkRuntimeSrc }).out;

cc
