// Evaluation through the CLI: laziness, top-level arguments, and errors that point somewhere.
import fs from 'node:fs';
import path from 'node:path';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { cacheFiles, tempDir, wpm } from '../helpers/cli.js';

function project(files: Record<string, string>): string {
  const dir = tempDir('eval');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const PRELUDE = "local wpm = import 'wpm.libsonnet';\nlocal tool = wpm.writeText('tool.wasm', 'x');\n";

describe('evaluation', () => {
  it('instantiates only what the requested attribute needs', () => {
    const dir = project({
      'default.jsonnet': `${PRELUDE}{
  a: { b: wpm.derivation({ name: 'wanted', builder: tool }) },
  other: wpm.derivation({ name: 'unwanted', builder: wpm.path(std.thisFile, 'does-not-exist.wasm') }),
  broken: error 'never forced',
}
`,
    });
    const home = tempDir('home');
    const r = wpm(['show-derivation', '-A', 'a.b', path.join(dir, 'default.jsonnet')], { home });
    expect(r.stderr).toBe('');
    const drvs = JSON.parse(r.stdout) as Record<string, { name: string }>;
    expect(Object.values(drvs).map((d) => d.name)).toEqual(['wanted']);
    const stored = fs.readdirSync(path.join(home, 'store')).filter((f) => f.endsWith('.drv'));
    expect(stored.map((f) => f.slice(33))).toEqual(['wanted.drv']);
  });

  it('with --read-only prints the same derivations and writes no .drv file', () => {
    const dir = project({
      'default.jsonnet': `${PRELUDE}local a = wpm.derivation({ name: 'a', builder: tool });\n{ a: a, b: wpm.derivation({ name: 'b', builder: tool, args: [a.out] }) }\n`,
    });
    const home = tempDir('home');
    const drvs = () => fs.readdirSync(path.join(home, 'store')).filter((f) => f.endsWith('.drv'));
    const file = path.join(dir, 'default.jsonnet');
    const readOnly = wpm(['eval', '--json', '--read-only', file], { home });
    expect(readOnly.stderr).toBe('');
    expect(drvs()).toEqual([]);
    // Nor is the evaluation cache filled: it may only point at .drv files in the store.
    expect(cacheFiles(home)).toEqual([]);
    const written = wpm(['eval', '--json', file], { home });
    expect(JSON.parse(readOnly.stdout)).toEqual(JSON.parse(written.stdout));
    const value = JSON.parse(written.stdout) as Record<string, { drvPath: string }>;
    expect(drvs().sort()).toEqual([value.a!.drvPath, value.b!.drvPath].map((p) => path.basename(p)).sort());
    expect(cacheFiles(home)).not.toEqual([]);
  });

  it('passes --arg and --argstr as top-level arguments', () => {
    const dir = project({ 'f.jsonnet': 'function(n, s) { n: n * 2, s: s + "!" }\n' });
    const r = wpm(['eval', '--json', '--arg', 'n=21', '--argstr', 's=hi', path.join(dir, 'f.jsonnet')], { home: tempDir('home') });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ n: 42, s: 'hi!' });
  });
});

describe('evaluation errors carry a location', () => {
  const dir = project({
    'default.jsonnet': `${PRELUDE}{
  runtime: { a: error 'boom: this field fails' },
  wrongType: wpm.derivation({ name: 'wt', builder: tool, args: 'not-an-array' }),
  cycle: (
    local a = wpm.derivation({ name: 'a', builder: tool, args: [b.out] }),
          b = wpm.derivation({ name: 'b', builder: tool, args: [a.out] });
    a
  ),
  missing: wpm.derivation({ name: 'm', builder: wpm.path(std.thisFile, 'missing.wasm') }),
  nested: { deeper: { x: 1 } },
  direct: error 'this attribute itself fails',
}
`,
  });
  const file = path.join(dir, 'default.jsonnet');
  const build = (attr: string) => wpm(['build', '--no-link', '-A', attr, file], { home: tempDir('home') });

  it('a runtime error names file, line and column', () => {
    const r = build('runtime');
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('boom: this field fails');
    expect(r.stderr).toContain(`${file}:4:17`);
    // Only the user's frames: none of wpm's attribute selection, nor of std.jsonnet for it.
    for (const attr of ['runtime', 'direct']) {
      const e = wpm(['eval', '-A', attr, file], { home: tempDir('home') });
      expect(e.stderr).toMatch(/RUNTIME ERROR: (boom|this attribute)/);
      expect(e.stderr).not.toMatch(/std\.jsonnet|<wpm|wpm[A-Z]|<v>/);
    }
    expect(wpm(['eval', '-A', 'direct', file], { home: tempDir('home') }).stderr).toContain(`${file}:13:11`);
  });

  it('an unknown attribute of a large object lists the first twenty and counts the rest', () => {
    const fields = Array.from({ length: 30 }, (_, i) => `f${String(i).padStart(2, '0')}: ${i}`).join(', ');
    const big = path.join(project({ 'big.jsonnet': `{ ${fields} }\n` }), 'big.jsonnet');
    const r = wpm(['eval', '-A', 'nope', big], { home: tempDir('home') });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`available: f00, f01, f02, f03, f04, f05, f06, f07, f08, f09, f10, f11, f12, f13, f14, f15, f16, f17, f18, f19, … (10 more)`);
  });

  it('takes a directory for its default.jsonnet, and names a file that is not there', () => {
    const home = tempDir('home');
    const r = wpm(['eval', '--json', '-A', 'nested', dir], { home });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ deeper: { x: 1 } });
    const missing = wpm(['eval', path.join(dir, 'nope.jsonnet')], { home });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`${path.join(dir, 'nope.jsonnet')}: no such file`);
    const empty = tempDir('empty');
    expect(wpm(['build', empty], { home }).stderr).toContain(`${empty} is a directory without a default.jsonnet`);
  });

  it('refuses a second -A to eval, which prints one value', () => {
    const r = wpm(['eval', '-A', 'nested', '-A', 'runtime', file], { home: tempDir('home') });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('give one attribute path');
  });

  it('a field of the wrong type names the derivation, the field and the call site', () => {
    const r = build('wrongType');
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`derivation 'wt': field 'args' must be an array of strings, got the string "not-an-array"`);
    expect(r.stderr).toContain(`${file}:5:`);
  });

  it('an unknown attribute path lists what exists', () => {
    const r = build('nested.nope');
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`attribute 'nested.nope' not found in ${file}; available: deeper`);
    expect(build('nope').stderr).toContain('available: cycle, direct, missing, nested, runtime, wrongType');
  });

  it('a dependency cycle names the derivations going round it', () => {
    const r = build('cycle');
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/dependency cycle: . \(.*default\.jsonnet:\d+:\d+-\d+\) needs . \(.*default\.jsonnet:\d+:\d+-\d+\) needs . again/);
  });

  it('wpm.path of a missing file names the file and the call site', () => {
    const r = build('missing');
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`${path.join(dir, 'missing.wasm')} does not exist`);
    expect(r.stderr).toContain(`${file}:11:`);
  });
});

describe('builtin:unpack refuses archives that escape', () => {
  async function tarball(entries: { name: string; type?: 'file' | 'symlink'; linkname?: string }[]): Promise<Buffer> {
    const pack = tar.pack();
    const chunks: Buffer[] = [];
    pack.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise((r) => pack.on('end', r));
    for (const e of entries) {
      if (e.type === 'symlink') pack.entry({ name: e.name, type: 'symlink', linkname: e.linkname! });
      else pack.entry({ name: e.name }, 'data\n');
    }
    pack.finalize();
    await done;
    return Buffer.concat(chunks);
  }

  for (const [label, entries, entry] of [
    ['a ../ path', [{ name: 'ok.txt' }, { name: '../x' }], '../x'],
    ['an absolute path', [{ name: '/etc/evil' }], '/etc/evil'],
    ['a path through a symlink it made', [{ name: 'link', type: 'symlink', linkname: '/tmp' }, { name: 'link/evil' }], 'link/evil'],
  ] as const) {
    it(`refuses ${label}, naming the entry, and stores nothing`, async () => {
      const dir = project({ 'default.jsonnet': "local wpm = import 'wpm.libsonnet';\nwpm.unpack('evil', wpm.path(std.thisFile, 'evil.tar'))\n" });
      fs.writeFileSync(path.join(dir, 'evil.tar'), await tarball([...entries]));
      const home = tempDir('home');
      const r = wpm(['build', '--no-link', path.join(dir, 'default.jsonnet')], { home });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`archive entry '${entry}'`);
      expect(fs.readdirSync(path.join(home, 'store')).filter((f) => f.endsWith('-evil'))).toEqual([]);
      expect(fs.existsSync('/tmp/evil')).toBe(false);
    });
  }
});

describe('a builder that is not WebAssembly', () => {
  it('fails its step saying so, and its empty log says it is empty', () => {
    const dir = project({ 'default.jsonnet': `${PRELUDE}wpm.derivation({ name: 'not-wasm', builder: tool })\n` });
    const home = tempDir('home');
    const r = wpm(['build', '--no-link', path.join(dir, 'default.jsonnet')], { home });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/builder \/wpm\/store\/[0-9a-z]{32}-tool\.wasm is not a valid WebAssembly module or component: /);
    // No hint to read a log that has nothing in it.
    expect(r.stderr).not.toContain('the full log');
    const drv = fs.readdirSync(path.join(home, 'store')).find((f) => f.endsWith('-not-wasm.drv'))!;
    const log = wpm(['log', `/wpm/store/${drv}`], { home });
    expect(log.status).toBe(0);
    expect(log.stdout).toBe('');
    expect(log.stderr).toContain(`the log of /wpm/store/${drv} is empty`);
  });
});

describe('traces reach the user', () => {
  it("a library error under nested calls shows the user's call site, not only library frames", () => {
    const dir = project({
      'default.jsonnet': `local cc = import 'cc.libsonnet';
local wpm = import 'wpm.libsonnet';
local wrap(n, x) = if n == 0 then x else wrap(n - 1, { v: x }).v;
{
  hi: wrap(8, cc.executable({ name: 'hi', srcs: [wpm.path(std.thisFile, 'default.jsonnet')], deps: [{ name: 'notALibrary' }] })),
}
`,
    });
    const file = path.join(dir, 'default.jsonnet');
    const r = wpm(['eval', '-A', 'hi', file], { home: tempDir('home') });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('field does not exist: _cc');
    // libjsonnet alone kept ten frames from each end: the library's and the wrapper's.
    expect(r.stderr).toContain(`${file}:5:15-`);
  });

  it("names a cycle by the user's lines, not by the parameters of std's operators, and tells plain recursion from a cycle", () => {
    const dir = project({
      'default.jsonnet': `${PRELUDE}{
  a: wpm.derivation({ name: 'a', builder: tool, args: ['-o%s' % $.b.out] }),
  b: wpm.derivation({ name: 'b', builder: tool, args: [if $.a.out != '' then 'x' else 'y'] }),
}
`,
      'rec.jsonnet': 'local f(n) = g(n + 1),\n      g(n) = f(n + 1);\n{ v: f(0) }\n',
    });
    const file = path.join(dir, 'default.jsonnet');
    const r = wpm(['eval', file], { home: tempDir('home') });
    expect(r.status).toBe(3);
    expect(r.stderr.split('\n')[0]).toBe(`error: dependency cycle: ${file}:4 needs ${file}:5 needs ${file}:4 again`);
    const rec = path.join(dir, 'rec.jsonnet');
    const plain = wpm(['eval', rec], { home: tempDir('home') });
    expect(plain.status).toBe(3);
    expect(plain.stderr.split('\n')[0]).toBe(`error: stack depth 500 exceeded: ${rec}:1 calls ${rec}:2 calls ${rec}:1 again, deeper than the evaluator's stack`);
  });

  it('a cycle through $ names the lines going round it, not the library', () => {
    const dir = project({
      'default.jsonnet': `${PRELUDE}{
  a: wpm.derivation({ name: 'a', builder: tool, args: [$.b.out] }),
  b: wpm.derivation({ name: 'b', builder: tool, args: [$.a.out] }),
}
`,
    });
    const file = path.join(dir, 'default.jsonnet');
    const r = wpm(['eval', file], { home: tempDir('home') });
    expect(r.status).toBe(3);
    expect(r.stderr.split('\n')[0]).toBe(`error: dependency cycle: ${file}:4 needs ${file}:5 needs ${file}:4 again`);
    // The trace of a 500-frame recursion is shortened, and says by how much.
    expect(r.stderr.split('\n').length).toBeLessThan(60);
    expect(r.stderr).toMatch(/\t\.\.\. \(\d+ more frames\)/);
  });
});

describe('library arguments', () => {
  it('cc targets refuse unknown fields and sources that are not store paths, naming the target', () => {
    const dir = project({
      'default.jsonnet': `local cc = import 'cc.libsonnet';
local wpm = import 'wpm.libsonnet';
local src = wpm.path(std.thisFile, 'default.jsonnet');
{
  typo: cc.executable({ name: 'hi', srcs: [src], cflag: ['-O2'] }),
  plain: cc.executable({ name: 'hi', srcs: ['hi.c'] }),
  notList: cc.staticLibrary({ name: 'lib', srcs: src }),
  object: cc.object({ src: 'x.c' }),
  fine: cc.executable({ name: 'hi', srcs: [src], cflags: ['-O2'], _mine: 1, note:: 'hidden' }),
  spread: cc.staticLibrary({
    name: 'lib',
    srcs: [src],
    define: ['X=1'],
  }),
}
`,
    });
    const file = path.join(dir, 'default.jsonnet');
    const evalAttr = (attr: string) => wpm(['eval', '--read-only', '-A', attr, file], { home: tempDir('home') });
    const cases: [string, string, number][] = [
      ['typo', "cc.executable 'hi': unknown field 'cflag' (fields: name, srcs, ldflags, component, stackSize, lang, opt, defines, includes, cflags, cxxflags, cstd, cxxstd, deps)", 5],
      ['plain', "cc.executable 'hi': source 'hi.c' is not a store path: use wpm.path(std.thisFile, 'hi.c')", 6],
      ['notList', "cc.staticLibrary 'lib': 'srcs' must be a list of store paths, got string", 7],
      ['object', "cc.object: src 'x.c' is not a store path", 8],
      // An unknown field is told at its own line, not the call's.
      ['spread', "cc.staticLibrary 'lib': unknown field 'define'", 13],
    ];
    for (const [attr, message, line] of cases) {
      const r = evalAttr(attr);
      expect(r.status, attr).toBe(3);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain(`${file}:${line}:`);
    }
    expect(evalAttr('fine').status).toBe(0);
  });

  it('wpm.writeText takes strings only', () => {
    const dir = project({ 'default.jsonnet': "local wpm = import 'wpm.libsonnet';\n{ t: wpm.writeText('a', 3) }\n" });
    const file = path.join(dir, 'default.jsonnet');
    const r = wpm(['eval', file], { home: tempDir('home') });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('wpm.writeText takes a name and a text, both strings; got string and number');
    expect(r.stderr).toContain(`${file}:2:`);
  });
});

describe('top-level arguments', () => {
  it('a missing one gets a hint, and a broken one is named by its flag', () => {
    const dir = project({ 'f.jsonnet': 'function(x) { y: x }\n' });
    const file = path.join(dir, 'f.jsonnet');
    const missing = wpm(['eval', file], { home: tempDir('home') });
    expect(missing.status).toBe(3);
    expect(missing.stderr).toContain('hint: if x is a parameter of the file itself, give it with --arg x=CODE or --argstr x=STRING');
    const broken = wpm(['eval', file, '--arg', 'x=1 +'], { home: tempDir('home') });
    expect(broken.status).toBe(3);
    expect(broken.stderr).toContain('<--arg x>:1:4: unexpected end of file');
  });
});
