// wasm-tools' `component new` and the WASI preview1 adapters, for making WASI 0.2 components out
// of wasip1 modules (builtin:component-new, see docs/components.md). Both come from npm, pinned
// by integrity, so nothing of the host's node_modules is used:
//   - @bytecodealliance/jco-transpile ships wasm-tools compiled to WebAssembly, as the core module
//     of a library component: vendor/wasm-tools.core.wasm is a plain wasip1 reactor exporting
//     `local:wasm-tools/tools#component-new` (the rest of vendor/ is jco's JavaScript around it);
//   - @bytecodealliance/jco ships the preview1 adapters in lib/ (wasmtime's, prebuilt).
local wpm = import 'wpm.libsonnet';

local transpileVersion = '0.15.0';
local jcoVersion = '1.35.0';

local vendorDrv = wpm.unpack(
  'jco-transpile-' + transpileVersion + '-vendor',
  wpm.fetchNpm({
    package: '@bytecodealliance/jco-transpile',
    version: transpileVersion,
    integrity: 'sha512-MFftJ81B9TtHbvgCRZQod3jfgl62YvJszxsNdfx9IVNewxlX9q7U4Wd+w6gJzw+o9IjEGWoyg/BFpb/RnaJvlA==',
  }).out,
  strip=1,
  subdir='vendor',
);
local adaptersDrv = wpm.unpack(
  'jco-' + jcoVersion + '-adapters',
  wpm.fetchNpm({
    package: '@bytecodealliance/jco',
    version: jcoVersion,
    integrity: 'sha512-O53cWIMm/M1SpwLxKRicvAMDnzWf4zWs6I6qFZIGbn3HUovDMCCe9blkGxxYuyocHjVf/cXgNmlMu/x7Tyi77A==',
  }).out,
  strip=1,
  subdir='lib',
);

// Locals, not fields: libjsonnet re-evaluates an object field on every access but a local once.
local wasmTools = vendorDrv.out + '/wasm-tools.core.wasm';
local commandAdapter = adaptersDrv.out + '/wasi_snapshot_preview1.command.wasm';
local reactorAdapter = adaptersDrv.out + '/wasi_snapshot_preview1.reactor.wasm';

{
  versions: { 'jco-transpile': transpileVersion, jco: jcoVersion },
  wasmTools: wasmTools,
  // A command module (exports _start) becomes a component exporting wasi:cli/run.
  commandAdapter: commandAdapter,
  reactorAdapter: reactorAdapter,

  // One builtin:component-new step. Fields:
  //   name      the store path's name
  //   module    store path of a wasip1 module (a file, or a file inside a store directory)
  //   adapters  { import module name: adapter store path }; default: the command adapter for
  //             wasi_snapshot_preview1
  //   output    where in $out to put the component, e.g. 'bin/hello.wasm'; default: $out itself
  componentNew(c):: wpm.derivation({
    name: c.name,
    builder: 'builtin:component-new',
    stdin: {
      wasmTools: wasmTools,
      module: c.module,
      adapters: std.get(c, 'adapters', { wasi_snapshot_preview1: commandAdapter }),
    } + (if std.objectHas(c, 'output') then { output: c.output } else {}),
  }),

  // The steps themselves, for `wpm build packages/toolchains/default.jsonnet` (fetch ahead).
  derivations:: { wasmTools: vendorDrv, adapters: adaptersDrv },
}
