// The walking skeleton, end to end, through the real CLI: build packages/hello with clang.wasm
// and wasm-ld under wpm's WASI host, run it, rebuild as a no-op, and reproduce it in another home.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, readTree, tempDir, wpm } from '../helpers/cli.js';
import { seededHome } from '../helpers/seed.js';

const HELLO = path.join(REPO, 'packages/hello/default.jsonnet');
const STORE_PATH_RE = /^\/wpm\/store\/[0-9a-df-np-sv-z]{32}-hello$/;

describe('wpm build packages/hello', () => {
  const home = tempDir('home-a');
  const cwd = tempDir('cwd');
  let first: ReturnType<typeof wpm>;

  beforeAll(() => {
    first = wpm(['build', HELLO], { home, cwd });
  });

  it('prints the output path and links ./result to it', () => {
    expect(first.stderr).not.toContain('error');
    expect(first.status).toBe(0);
    const printed = first.stdout.trim();
    expect(printed).toMatch(STORE_PATH_RE);
    const link = path.join(cwd, 'result');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.realpathSync(link)).toBe(path.join(home, 'store', path.basename(printed)));
    expect(fs.existsSync(path.join(link, 'bin', 'hello.wasm'))).toBe(true);
  });

  it('runs the program, which greets its argument', () => {
    const run = wpm(['run', './result', '--', 'world'], { home, cwd });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Hello, world!');
  });

  it('does no work the second time and prints the same path', () => {
    const again = wpm(['build', HELLO], { home, cwd });
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    expect(again.stderr).not.toMatch(/building|built/);
  });

  it('gives byte-identical output in a second, empty home', () => {
    const homeB = tempDir('home-b');
    const second = wpm(['build', '--no-link', HELLO], { home: homeB, cwd });
    expect(second.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const storePath = first.stdout.trim();
    const a = readTree(path.join(home, 'store', path.basename(storePath)));
    const b = readTree(path.join(homeB, 'store', path.basename(storePath)));
    expect([...a.keys()]).toEqual(['bin/hello.wasm']);
    expect(b.get('bin/hello.wasm')!.equals(a.get('bin/hello.wasm')!)).toBe(true);
    const infoA = JSON.parse(wpm(['store', 'path-info', '--json', storePath], { home }).stdout);
    const infoB = JSON.parse(wpm(['store', 'path-info', '--json', storePath], { home: homeB }).stdout);
    expect(infoB[0].narHash).toBe(infoA[0].narHash);
    expect(infoA[0].narHash).toMatch(/^sha256:[0-9a-df-np-sv-z]{52}$/);
  });
});

describe('errors in the skeleton', () => {
  it('reports a Jsonnet syntax error with file, line and column', () => {
    const dir = tempDir('bad');
    const file = path.join(dir, 'bad.jsonnet');
    fs.writeFileSync(file, "local wpm = import 'wpm.libsonnet';\n{\n  a: [1, 2,\n}\n");
    const r = wpm(['build', file], { home: tempDir('home'), cwd: dir });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`${file}:4:1`);
  });

  it('names the missing builder file', () => {
    const file = path.join(REPO, 'test/fixtures/missing-builder/default.jsonnet');
    const r = wpm(['build', file], { home: tempDir('home'), cwd: tempDir('cwd') });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(path.join(REPO, 'test/fixtures/missing-builder/no-such-tool.wasm'));
    expect(r.stderr).toContain('does not exist');
  });

  it("reports the compiler's own message for a C syntax error and stores nothing of the failed step", () => {
    const home = seededHome();
    const file = path.join(REPO, 'test/fixtures/broken-c/default.jsonnet');
    const r = wpm(['build', file], { home, cwd: tempDir('cwd') });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/broken\.c:3:11: error: expected ';'/);
    const drv = JSON.parse(wpm(['show-derivation', '-r', file], { home }).stdout) as Record<string, { name: string; outputs: { out: { path: string } } }>;
    const objectOut = Object.values(drv).find((d) => d.name === 'broken.o')!.outputs.out.path;
    expect(fs.existsSync(path.join(home, 'store', path.basename(objectOut)))).toBe(false);
    expect(wpm(['store', 'path-info', objectOut], { home }).status).not.toBe(0);
    expect(fs.readdirSync(path.join(home, 'tmp'))).toEqual([]);
  });
});
