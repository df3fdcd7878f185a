// LibYAML 0.2.2: the YAML 1.1 parser and emitter library, from the libyaml source tree that the
// libyaml-sys crate (0.1.0) vendors, tests included. LibYAML installs no program.
//
// config.h (the version macros) is made from upstream's cmake/config.h.in by a Python step, as
// CMake's configure_file would, with CMakeLists.txt's version.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';

local up = upstream.crate({
  crate: 'libyaml-sys',
  version: '0.1.0',
  sha256: '3c0db97a2d3c6e1498825300c7608e14e1ce2fab0f1fdb6be83efae55decef94',
  dir: 'libyaml',
});
local src = up.src;
local config = upstream.configureFile({
  name: 'config.h',
  template: src + '/cmake/config.h.in',
  vars: { YAML_VERSION_MAJOR: 0, YAML_VERSION_MINOR: 2, YAML_VERSION_PATCH: 2, YAML_VERSION_STRING: '0.2.2' },
});

local lib = cc.staticLibrary({
  name: 'yaml',
  srcs: [src + '/src/' + f + '.c' for f in ['api', 'dumper', 'emitter', 'loader', 'parser', 'reader', 'scanner', 'writer']],
  hdrs: [src + '/include/yaml.h'],
  defines: { HAVE_CONFIG_H: true },
  // A static library: yaml.h's YAML_DECLARE_STATIC, as CMakeLists.txt defines it for one.
  publicDefines: { YAML_DECLARE_STATIC: true },
  includes: [config],
});
// tests/Makefile.am: TESTS = test-version test-reader.
local test(name) = checks.run({ name: name, program: cc.executable({ name: name, srcs: [src + '/tests/' + name + '.c'], deps: [lib] }) });

upstream.package({
  name: 'libyaml',
  version: '0.2.2',
  source: up.source,
  tarball: up.tarball,
  library: lib,
  checks: {
    'test-version': test('test-version'),
    'test-reader': test('test-reader'),
  },
  leftOut: {
    'run-all-tests.sh': "a sh script running run-parser-test-suite and run-emitter-test-suite over the yaml-test-suite data, which is not in libyaml's tree",
  },
})
