// cc.libsonnet and python.script on small fixtures: what a library passes on to its dependents
// (headers, public defines, archives, libc++) transitively, C++ without exceptions, and Python
// steps that read their JSON from stdin and other steps' outputs.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir, wpm } from '../helpers/cli.js';
import { started } from '../helpers/build-events.js';
import { seededHome } from '../helpers/seed.js';

const FIXTURES = path.join(REPO, 'test/packages/fixtures');

describe('cc.libsonnet', () => {
  let home: string;
  beforeAll(() => {
    home = seededHome('cc');
  });

  it('gives a C program the headers, defines, archives and libc++ of a C library on a C++ library', () => {
    const file = path.join(FIXTURES, 'transitive/default.jsonnet');
    const r = wpm(['run', file, '-A', 'program', '--', 'wasm'], { home });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('HELLO, WASM!\npunctuation: !\n');
    const drvs = JSON.parse(wpm(['show-derivation', '-r', file, '-A', 'program'], { home }).stdout) as Record<string, { name: string; args: string[] }>;
    const byName = (n: string) => Object.values(drvs).find((d) => d.name === n)!;
    // main.c names only shout, yet sees greet's headers and public define.
    const main = byName('main.o').args;
    expect(main.filter((a) => a.startsWith('-I')).map((a) => a.replace(/^-I\/wpm\/store\/[0-9a-z]{32}-/, ''))).toEqual(['shout-headers', 'greet-headers']);
    expect(main).toContain('-DGREET_PUNCT="!"');
    // Archives in dependency order, then libc++ because greet is C++.
    const link = byName('loud.wasm').args.map((a) => a.replace(/^\/wpm\/store\/[0-9a-z]{32}-/, ''));
    expect(link.filter((a) => a.endsWith('.a') || a.startsWith('-l'))).toEqual(['libshout.a', 'libgreet.a', '-lc++', '-lc++abi', '-lc', 'wasm32-wasip1-sysroot/lib/wasm32-unknown-wasip1/libclang_rt.builtins.a']);
    expect(byName('greet.o').args).toContain('-fno-exceptions');
  });

  it('compiles C++ without exceptions, so `throw` is a compile error rather than a link error', () => {
    const dir = tempDir('cxx-throw');
    fs.writeFileSync(path.join(dir, 'throw.cpp'), '#include <stdexcept>\nint main() { throw std::runtime_error("no"); }\n');
    fs.writeFileSync(
      path.join(dir, 'default.jsonnet'),
      "local wpm = import 'wpm.libsonnet';\nlocal cc = import 'cc.libsonnet';\ncc.executable({ name: 'throw', srcs: [wpm.path(std.thisFile, 'throw.cpp')] })\n",
    );
    const r = wpm(['build', '--no-link', path.join(dir, 'default.jsonnet')], { home });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot use 'throw' with exceptions disabled");
  });
});

describe('python.script', () => {
  it('runs inline scripts on stdin JSON, reading a source directory and another step\'s output', () => {
    const home = seededHome('python');
    const file = path.join(FIXTURES, 'python/default.jsonnet');
    const r = wpm(['build', '--no-link', '--json', file], { home });
    expect(r.status).toBe(0);
    expect(started(r)).toEqual(['report', 'words.json']);
    const out = path.join(home, 'store', path.basename(JSON.parse(r.stdout)[0].outputs.out));
    expect(fs.readFileSync(path.join(out, 'share/report.txt'), 'utf8')).toBe('ALPHA! BETA!\n3.12.0\n');
  });
});
