// Every toolchain, downloaded and unpacked: `wpm build packages/toolchains/default.jsonnet`
// fetches ahead of a build (or for a machine that will go offline). The tests seed fresh stores
// from a store that built this.
local clang = import 'clang/default.libsonnet';
local python = import 'python/default.libsonnet';
local wasmTools = import 'wasm-tools/default.libsonnet';

{
  clang: clang.derivations,
  python: python.derivations,
  'wasm-tools': wasmTools.derivations,
}
