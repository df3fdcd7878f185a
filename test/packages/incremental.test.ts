// Incremental builds of the multi-file package: editing one source file rebuilds exactly that
// object and what consumes it, counted from `wpm build --json`'s start events. The packages are
// copied to a temporary directory first, so the test edits a copy and never the repository.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir, wpm } from '../helpers/cli.js';
import { started } from '../helpers/build-events.js';
import { seededHome } from '../helpers/seed.js';

describe('editing one source file of packages/b64', () => {
  let home: string;
  let file: string;
  let src: string;
  let lib: string;
  const build = () => wpm(['build', '--no-link', '--json', file], { home });
  const run = (args: string[], input: string) => wpm(['run', file, '--', ...args], { home, input });

  beforeAll(() => {
    home = seededHome('incremental');
    const root = tempDir('incremental-pkgs');
    // b64 imports '../base64/default.jsonnet'; both keep their relative places.
    for (const p of ['b64', 'base64']) fs.cpSync(path.join(REPO, 'packages', p), path.join(root, p), { recursive: true });
    file = path.join(root, 'b64/default.jsonnet');
    src = path.join(root, 'b64/src');
    lib = path.join(root, 'base64/src');
    const first = build();
    if (first.status !== 0) throw new Error(first.stderr);
  });

  it('does nothing when nothing changed', () => {
    const r = build();
    expect(r.status).toBe(0);
    expect(started(r)).toEqual([]);
  });

  it('rebuilds that object, the link and the install step, and nothing else', () => {
    const options = path.join(src, 'options.c');
    fs.writeFileSync(options, fs.readFileSync(options, 'utf8').replace('usage: b64 ', 'usage (edited): b64 '));
    const r = build();
    expect(r.status).toBe(0);
    expect(started(r)).toEqual(['b64', 'b64.wasm', 'options.o']);
    expect(run(['--help'], '').stdout).toMatch(/^usage \(edited\): b64 /);
  });

  it('rebuilds the one object of a library source, the archive and the links, but no object of the program', () => {
    const encode = path.join(lib, 'encode.c');
    // A different alphabet (base64url's last two characters) the program's output must show.
    fs.writeFileSync(encode, fs.readFileSync(encode, 'utf8').replace('0123456789+/";', '0123456789-_";'));
    const r = build();
    expect(r.status).toBe(0);
    // The library's own output ($out with lib/ and include/) is not an input of the program.
    expect(started(r)).toEqual(['b64', 'b64.wasm', 'base64-objects', 'encode.o', 'libbase64.a']);
    expect(run([], '>>>???').stdout).toBe('Pj4-Pz8_\n'); // was Pj4+Pz8/
  });
});
