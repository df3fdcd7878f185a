// An edit in the tab (web/loop's editSource), held to the CLI: a copy of a package is evaluated,
// one C file changed, and what the tab computes from the old closure alone must be exactly what
// the CLI evaluates for the edited copy — the source path, every rewritten .drv (text and path),
// every output path — while the compiles of the files not edited keep their paths.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { derivationToJson } from '../../derivations/index.js';
import { editSource, fileSourcePath, planInTab, readDrvClosure } from '../../web/loop/index.js';
import { REPO, tempDir, wpm } from '../helpers/cli.js';
import { seededHome } from '../helpers/seed.js';
import { byName, cliView, storeReader, validIn } from './cli-view.js';

interface Case {
  pkg: string;
  /** Packages copied beside it (relative imports). */
  beside: string[];
  file: string;
  edit: (text: string) => string;
  /** The derivations the edit must change: one compile, the link, and what follows it. */
  changed: string[];
}

const CASES: Case[] = [
  { pkg: 'hello', beside: [], file: 'hello.c', edit: (t) => t.replace('Hello from wpm!', 'Hello from a tab!'), changed: ['hello', 'hello.o', 'hello.wasm'] },
  { pkg: 'b64', beside: ['base64'], file: 'src/options.c', edit: (t) => t.replace('usage: b64 ', 'usage (edited): b64 '), changed: ['b64', 'b64.wasm', 'options.o'] },
];

describe.each(CASES)('editing $file of packages/$pkg in the tab', ({ pkg, beside, file, edit, changed }) => {
  it('gives the paths and .drv texts the CLI evaluates for the edited copy, and rebuilds one compile and the link', async () => {
    const home = seededHome(`web-edit-${pkg}`);
    const root = tempDir(`web-edit-${pkg}`);
    for (const p of [pkg, ...beside]) fs.cpSync(path.join(REPO, 'packages', p), path.join(root, p), { recursive: true });
    const dir = path.join(root, pkg);
    const before = cliView(home, dir);
    const closure = await readDrvClosure(before.target, storeReader(home));
    const compileName = `${path.basename(file, '.c')}.o`;
    const [, compile] = byName(closure, compileName);
    const oldSource = compile.inputSrcs.find((s) => s.endsWith(`-${path.basename(file)}`))!;
    expect(oldSource).toBeDefined();

    const edited = edit(fs.readFileSync(path.join(dir, file), 'utf8'));
    expect(edited).not.toBe(fs.readFileSync(path.join(dir, file), 'utf8'));
    const result = editSource(closure, oldSource, edited);
    fs.writeFileSync(path.join(dir, file), edited);
    const after = cliView(home, dir);

    // The source's new path is the one the CLI's store registered for the edited file.
    const [, newCompile] = byName(result.closure, compileName);
    expect(result.newSourcePath).not.toBe(oldSource);
    expect(newCompile.inputSrcs).toContain(result.newSourcePath);
    expect((after.derivations[byName(result.closure, compileName)[0]] as { inputSrcs: string[] }).inputSrcs).toContain(result.newSourcePath);
    expect(validIn(home)(result.newSourcePath)).toBe(true);

    // The whole new closure, derivation for derivation, and the target.
    expect(result.closure.target).toBe(after.target);
    expect([...result.closure.derivations.keys()].sort()).toEqual(Object.keys(after.derivations).sort());
    for (const [drvPath, drv] of result.closure.derivations) expect(derivationToJson(drv), drvPath).toEqual(after.derivations[drvPath]);
    const targetDrv = result.closure.derivations.get(result.closure.target)!;
    expect(Object.fromEntries(Object.entries(targetDrv.outputs).map(([n, o]) => [n, o.path]))).toEqual(after.outputs);

    // Every rewritten .drv is byte for byte the file the CLI wrote, under the same path.
    const read = storeReader(home);
    for (const r of result.rewritten) expect(r.text, r.drvPath).toBe(await read(r.drvPath));

    // Exactly one compile, the link and the step after it changed; the CLI agrees on which.
    expect(result.rewritten.map((r) => r.drv.name).sort()).toEqual(changed);
    const newInCli = Object.keys(after.derivations).filter((p) => !(p in before.derivations)).sort();
    expect(result.rewritten.map((r) => r.drvPath).sort()).toEqual(newInCli);
    for (const [drvPath, drv] of closure.derivations) {
      if (changed.includes(drv.name)) continue;
      expect(result.closure.derivations.get(drvPath), `${drv.name} keeps its path`).toBe(drv);
    }

    // After a first build (every old output valid in the tab), the rebuild runs just those steps.
    const built = new Set([...closure.derivations.values()].flatMap((d) => Object.values(d.outputs).map((o) => o.path)));
    const rebuild = await planInTab(result.closure, { isValid: (p) => built.has(p), hasSubstitute: () => false });
    expect(rebuild.steps.map((s) => s.drv.name).sort()).toEqual(changed);
    expect(rebuild.steps.find((s) => s.drv.name === compileName)!.inputRoots).toContain(result.newSourcePath);
  });
});

describe('editing a source that derivations mention everywhere', () => {
  // Evaluated only (the builder is no real program): args, env keys and values, stdin at any
  // depth, and a fixed-output input, whose output path stays while its .drv path changes.
  const FILE = `local wpm = import 'wpm.libsonnet';
local tool = wpm.path(std.thisFile, 'tool.wasm');
local src = wpm.path(std.thisFile, 'data.txt');
local a = wpm.derivation({ name: 'a', builder: tool, args: ['a', '-f', src, '--map=' + src + '=data.txt'],
  env: { SRC: src }, stdin: { files: [src], nested: { [src]: [src + '/inside', 1, null, true] } } });
local fixed = wpm.derivation({ name: 'fixed', builder: tool, args: [a.out],
  outputHash: 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=', outputHashMode: 'recursive' });
local b = wpm.derivation({ name: 'b', builder: tool, env: { FIXED: fixed.out }, stdin: { a: a.out } });
local c = wpm.derivation({ name: 'c', builder: tool, args: [fixed.out] });
local unrelated = wpm.derivation({ name: 'unrelated', builder: tool, args: ['x'] });
wpm.derivation({ name: 'top', builder: tool, args: [b.out, c.out, unrelated.out] })
`;

  /** FILE evaluated by the CLI in a fresh home, its .drv closure, and the source `data.txt` became. */
  async function mentions(name: string) {
    const home = tempDir(`web-edit-${name}-home`);
    const dir = tempDir(`web-edit-${name}`);
    fs.writeFileSync(path.join(dir, 'default.jsonnet'), FILE);
    fs.writeFileSync(path.join(dir, 'tool.wasm'), 'not run: evaluation only\n');
    fs.writeFileSync(path.join(dir, 'data.txt'), 'one\n');
    const before = cliView(home, dir);
    const closure = await readDrvClosure(before.target, storeReader(home));
    const oldSource = byName(closure, 'a')[1].inputSrcs.find((s) => s.endsWith('-data.txt'))!;
    return { home, dir, before, closure, oldSource };
  }

  it('rewrites every mention and recomputes the paths the CLI evaluates', async () => {
    const { home, dir, closure, oldSource } = await mentions('mentions');
    const result = editSource(closure, oldSource, 'two\n');
    fs.writeFileSync(path.join(dir, 'data.txt'), 'two\n');
    const after = cliView(home, dir);

    expect(result.closure.target).toBe(after.target);
    expect([...result.closure.derivations.keys()].sort()).toEqual(Object.keys(after.derivations).sort());
    for (const [drvPath, drv] of result.closure.derivations) expect(derivationToJson(drv), drvPath).toEqual(after.derivations[drvPath]);
    expect(result.rewritten.map((r) => r.drv.name).sort()).toEqual(['a', 'b', 'c', 'fixed', 'top']);
    const outputOf = (cl: typeof closure, name: string) => byName(cl, name)[1].outputs.out!.path;
    expect(outputOf(result.closure, 'fixed')).toBe(outputOf(closure, 'fixed'));
    expect(outputOf(result.closure, 'c')).toBe(outputOf(closure, 'c'));
    expect(outputOf(result.closure, 'b')).not.toBe(outputOf(closure, 'b'));
    expect(byName(result.closure, 'unrelated')[0]).toBe(byName(closure, 'unrelated')[0]);
  });

  it('changes nothing when the contents are the same', async () => {
    const { before, closure, oldSource } = await mentions('same');
    const result = editSource(closure, oldSource, 'one\n');
    expect(result.newSourcePath).toBe(oldSource);
    expect(result.rewritten).toEqual([]);
    expect(result.closure.target).toBe(before.target);
  });
});

describe('the path of an edited source', () => {
  it('is the one `wpm store add` gives the same file, executable or not', () => {
    const home = tempDir('web-source-path-home');
    const dir = tempDir('web-source-path');
    const text = 'int main(void) { return 0; }\n';
    for (const [name, mode] of [['plain.c', 0o644], ['run.sh', 0o755], ['empty.c', 0o644]] as const) {
      fs.writeFileSync(path.join(dir, name), name === 'empty.c' ? '' : text, { mode });
    }
    const added = (name: string) => {
      const r = wpm(['store', 'add', path.join(dir, name)], { home });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    expect(fileSourcePath('plain.c', text)).toBe(added('plain.c'));
    expect(fileSourcePath('run.sh', new TextEncoder().encode(text), { executable: true })).toBe(added('run.sh'));
    expect(fileSourcePath('empty.c', '')).toBe(added('empty.c'));
  });
});

