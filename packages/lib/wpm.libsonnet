// The core of wpm's Jsonnet library: derivations, sources from the file system, text objects.
// Every function here is lazy: nothing is added to the store until its result is needed.
local instantiate = std.native('wpm.derivation');
{
  // A build step. `spec` fields:
  //   name     store path name
  //   builder  store path of a .wasm file (a WASI module or component), or 'builtin:fetch' /
  //            'builtin:unpack' / 'builtin:component-new' (toolchains/wasm-tools has its helper)
  //   args     argv, argv[0] included; env: extra environment; stdin: any JSON, given on stdin
  //   outputs  output names (default ['out']); outputHash / outputHashMode: fixed-output derivations
  // Fields whose names start with '_' or that are hidden ('::') are not part of the derivation,
  // so wrappers can keep their own parameters on the same object.
  // Store paths mentioned in builder/args/env/stdin become the step's inputs.
  // The result is { type: 'derivation', name, drvPath, outputs, out, <other outputs> }, built by
  // the host in one call. `'' + spec` is libjsonnet's native JSON writer; std.toString(spec) is
  // the same text, but its `==` runs std.equals in Jsonnet, which cost a tenth of a package set's
  // evaluation. The std.manifestJson* functions and object comprehensions cost far more again.
  derivation(spec):: instantiate('' + spec),

  // A file or directory of the host, relative to the Jsonnet file `from` (pass std.thisFile:
  // Jsonnet gives a library no way to know its caller's file). `.git` is always left out;
  // `exclude` takes glob patterns ('*.o', 'build/', 'docs/*.md').
  path(from, p, exclude=[])::
    std.native('wpm.path')(from, p, std.toString(exclude)),

  // A text file made at evaluation time; store paths in it must already be valid.
  writeText(name, text):: std.native('wpm.writeText')(name, text),
  writeJSON(name, value):: self.writeText(name, std.manifestJsonEx(value, '  ') + '\n'),

  // Refuse `field` of the caller's object with `message`: the error points at the field's own line
  // (a library's check of its arguments, as cc.libsonnet's of unknown fields).
  fieldError(field, message):: std.native('wpm.fieldError')(field, message),

  // The placeholder for an output's path, replaced by the real path when the step runs.
  // Use it where a builder needs to know where to write: args: ['-o', wpm.placeholder('out')].
  placeholder(output='out'):: std.native('wpm.placeholder')(output),

  // Download a file, trusted for its hash alone (SRI 'sha256-…' or 'sha256:<nix32>'): a
  // fixed-output derivation, fetched once and never again while its output is valid.
  fetchurl(a)::
    local clean = std.split(std.split(a.url, '?')[0], '#')[0];
    local parts = std.split(clean, '/');
    self.derivation({
      name: if std.objectHas(a, 'name') then a.name else parts[std.length(parts) - 1],
      builder: 'builtin:fetch',
      stdin: { url: a.url } + (if std.get(a, 'executable', false) then { executable: true } else {}),
      outputHash: a.hash,
      outputHashMode: 'flat',
    }),

  // An npm package's tarball, checked against its `integrity` (from package-lock.json or
  // `npm view PACKAGE@VERSION dist.integrity`). Where it is downloaded from is the user's npm
  // configuration, which is not part of the derivation.
  fetchNpm(a)::
    self.derivation({
      name: std.strReplace(std.strReplace(a.package, '@', ''), '/', '-') + '-' + a.version + '.tgz',
      builder: 'builtin:fetch',
      stdin: { npm: { package: a.package, version: a.version } },
      outputHash: a.integrity,
      outputHashMode: 'flat',
    }),

  // Unpack a tar or tar.gz store path into a directory (deterministic: sorted entries,
  // normalised modes and times; entries escaping the output are refused).
  unpack(name, src, strip=0, subdir=null)::
    self.derivation({
      name: name,
      builder: 'builtin:unpack',
      stdin: { src: src, strip: strip } + (if subdir == null then {} else { subdir: subdir }),
    }),
}
