// Upstream projects in the package set: where their unmodified sources come from, and the shape
// of a package (the library, its programs, its upstream tests).
//
//   upstream.crate({ crate, version, sha256, dir })   a crates.io .crate (a tar.gz) whose -sys
//                                                      or -src crate vendors upstream's sources
//   upstream.npm({ package, version, integrity, dir }) an npm tarball that vendors them
//   upstream.pypi({ package, version, url, sha256, dir }) a PyPI source distribution (a tar.gz)
//                                                      that vendors them; `url` is the file's
//                                                      address in PyPI's simple index
// Both return { src, source }: `src` is the unpacked directory `dir` of the archive (upstream's
// own tree), `source` says where it came from, for the package table. Sources are fixed-output
// downloads pinned by hash; where they come from is not part of any derivation's hash.
//
//   upstream.configureFile({ name, template, vars, cmake })
// is what a configure script's config.status does to a `.in` template: every @VAR@ replaced by
// vars.VAR (an unknown @VAR@ fails the step), in a Python step. With `cmake: true`, it is CMake's
// configure_file: ${VAR} too, and `#cmakedefine VAR …` becomes `#define VAR …` where vars.VAR is
// true (or any value but false and null) and `/* #undef VAR */` elsewhere. The result is a
// directory holding the file `name` (which may have directories: 'libxml/xmlversion.h'), to put
// in a target's `includes`.
//
//   upstream.package({ name, version, source, library, programs, checks, leftOut })
// is one output with the library (lib/, include/) and the programs (bin/<name>.wasm), which
// other packages can use as a library (deps: [zlib]) and `wpm run -A NAME --bin PROGRAM` can
// run. Visible fields besides the derivation's: `checks` (checks.libsonnet) and `meta`
// (version, source, the tests left out and why). `library` and `programs` stay reachable as
// hidden fields.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local python = import 'python.libsonnet';

local configureScript = |||
  import json, os, re, sys
  job = json.load(sys.stdin)
  text = open(job['inputs']['template'], encoding='utf-8').read()
  vars = job['vars']
  def value(m):
      name = m.groupdict().get('a') or m.group('b')
      if name not in vars:
          sys.exit('configureFile: %s has %s, which vars does not give' % (job['name'], m.group(0)))
      v = vars[name]
      return '1' if v is True else '0' if v is False else str(v)
  def cmakedefine(m):
      name = m.group(1)
      v = vars.get(name)
      if v is None or v is False:
          return '/* #undef %s */' % name
      return '#define ' + name + m.group(2)
  pattern = (r'\$\{(?P<a>[A-Za-z_][A-Za-z0-9_]*)\}|' if job['cmake'] else '') + r'@(?P<b>[A-Za-z_][A-Za-z0-9_]*)@'
  if job['cmake']:
      text = re.sub(r'^#cmakedefine ([A-Za-z_][A-Za-z0-9_]*)(.*)$', cmakedefine, text, flags=re.M)
  target = os.path.join(os.environ['out'], job['name'])
  os.makedirs(os.path.dirname(target))
  with open(target, 'w', encoding='utf-8') as f:
      f.write(re.sub(pattern, value, text))
|||;

local hexByte(h) = std.parseHex(h);
// crates.io's index gives a crate's SHA-256 in hex; fetches take SRI.
local sriOfHex(hex) = 'sha256-' + std.base64([hexByte(hex[2 * i:2 * i + 2]) for i in std.range(0, 31)]);
local installTool = cc.toolchain.installTool;

{
  crate(c)::
    local file = c.crate + '-' + c.version + '.crate';
    local tarball = wpm.fetchurl({
      url: 'https://static.crates.io/crates/' + c.crate + '/' + file,
      name: std.strReplace(file, '+', '_'),
      hash: sriOfHex(c.sha256),
    });
    {
      tarball: tarball,
      src: wpm.unpack(std.strReplace(c.crate + '-' + c.version, '+', '_') + '-' + std.strReplace(std.get(c, 'dir', 'src'), '/', '-'),
                      tarball.out, strip=1, subdir=std.get(c, 'dir', null)).out,
      source: { channel: 'crates.io', name: c.crate, version: c.version },
    },

  npm(n)::
    local tarball = wpm.fetchNpm({ package: n.package, version: n.version, integrity: n.integrity });
    {
      tarball: tarball,
      src: wpm.unpack(std.strReplace(std.strReplace(n.package, '@', ''), '/', '-') + '-' + n.version + '-' + std.strReplace(std.get(n, 'dir', 'src'), '/', '-'),
                      tarball.out, strip=1, subdir=std.get(n, 'dir', null)).out,
      source: { channel: 'npm', name: n.package, version: n.version },
    },

  pypi(p)::
    local file = p.package + '-' + p.version + '.tar.gz';
    local tarball = wpm.fetchurl({ url: p.url, name: file, hash: sriOfHex(p.sha256) });
    {
      tarball: tarball,
      src: wpm.unpack(p.package + '-' + p.version + '-' + std.strReplace(std.get(p, 'dir', 'src'), '/', '-'),
                      tarball.out, strip=1, subdir=std.get(p, 'dir', null)).out,
      source: { channel: 'PyPI', name: p.package, version: p.version },
    },

  configureFile(c)::
    python.script({
      name: std.strReplace(c.name, '/', '-') + '-configured',
      script: configureScript,
      inputs: { template: c.template },
      stdin: { name: c.name, vars: c.vars, cmake: std.get(c, 'cmake', false) },
    }).out,

  package(p)::
    local fields = ['name', 'version', 'source', 'tarball', 'library', 'programs', 'checks', 'leftOut'];
    local unknown = [f for f in std.objectFields(p) if !std.member(fields, f)];
    assert std.length(unknown) == 0 : "upstream.package '" + p.name + "': unknown field '" + unknown[0] + "'";
    // `library` may be a list: a project with several libraries (cmark-gfm and its extensions),
    // the last of which other packages use (it depends on the others).
    local libs = local l = std.get(p, 'library', null); if l == null then [] else if std.isArray(l) then l else [l];
    local lib = if libs == [] then null else libs[std.length(libs) - 1];
    local programs = std.get(p, 'programs', []);
    local out = wpm.placeholder('out');
    local merged = wpm.derivation({
      name: p.name + '-' + p.version,
      builder: installTool,
      args: ['install']
            + std.flattenArrays([[l.out, out] for l in libs])
            + std.flattenArrays([[e.out + '/bin/' + e.programName + '.wasm', out + '/bin/' + e.programName + '.wasm'] for e in programs]),
    });
    merged + {
      checks: std.get(p, 'checks', {}),
      meta: {
        version: p.version,
        source: p.source,
        programs: [e.programName for e in programs],
        library: lib != null,
        leftOut: std.get(p, 'leftOut', {}),
      },
      library:: lib,
      tarball:: std.get(p, 'tarball', null),
      programs:: { [e.programName]: e for e in programs },
    } + (if lib == null then {} else { _cc:: lib._cc }),
}
