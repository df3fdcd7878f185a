// Fuzzing evaluation with hostile derivations: random specs (every field, wrong types, store
// paths with '..', unknown builtins, builtin requests aimed at a host file, odd output names)
// and randomly damaged Jsonnet. Each evaluates, or fails with a WpmError and no stack trace; the
// derivations that evaluate are built, and no byte of a host file reaches the store.
import fs from 'node:fs';
import path from 'node:path';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { evaluateFile } from '../../glue/index.js';
import { realise } from '../../runtime/scheduler/index.js';
import { LocalStore, STORE_DIR } from '../../store/index.js';
import { REPO, tempDir, wpm } from '../helpers/cli.js';
import { Random, SEED, crashOf } from './random.js';

/** Each case is a Jsonnet evaluation (a VM's start is most of it): fewer by default than the others. */
const CASES = Number(process.env.WPM_FUZZ_EVAL_CASES ?? process.env.WPM_FUZZ_CASES ?? 100);

const SECRET = 'host-only secret bytes';
const LIB_DIRS = [path.join(REPO, 'packages/lib')];

async function hostTar(dir: string, contents = SECRET): Promise<string> {
  const pack = tar.pack();
  pack.entry({ name: 'secret.txt' }, contents);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const file = path.join(dir, 'host.tar');
  fs.writeFileSync(file, Buffer.concat(chunks));
  return file;
}

/** A random Jsonnet expression for a field's value; `refs` are expressions of store paths. */
function value(r: Random, refs: string[], depth = 0): string {
  const strings = ["''", "'x'", "'out'", "'..'", "'.'", "'/wpm/store'", "'/wpm/store/'", `'${STORE_DIR}/${'a'.repeat(32)}-x'`, "'\\u0000'", "'é'", "'a/b'"];
  switch (r.int(depth > 1 ? 5 : 8)) {
    case 0:
      return r.pick(strings);
    case 1:
      return r.pick(refs);
    case 2:
      return `${r.pick(refs)} + ${r.pick(["'/../../..'", "'/sub'", "'/'", "'/./x'", "'/..'"])}`;
    case 3:
      return r.pick(['0', '-1', '1e300', '3.5', 'true', 'false', 'null']);
    case 4:
      return `'${STORE_DIR}/' + ${r.pick(["'../../../../..'", "'..'", "'x'"])} + ${r.pick(refs.filter((x) => x.startsWith("'")))}`;
    case 5:
      return `[${Array.from({ length: r.int(3) }, () => value(r, refs, depth + 1)).join(', ')}]`;
    default:
      return `{ ${Array.from({ length: r.int(3) }, () => `${r.pick(['src', 'url', 'npm', 'strip', 'subdir', 'k', 'module', 'output'])}: ${value(r, refs, depth + 1)}`).join(', ')} }`;
  }
}

/** A valid derivation of one of a few kinds, then none, one or two hostile changes to it. */
function spec(r: Random, refs: string[]): string {
  const base: Record<string, string>[] = [
    { name: "'d'", builder: 'tool', args: "['t', wpm.placeholder('out')]" },
    { name: "'u'", builder: "'builtin:unpack'", stdin: `{ src: ${refs[0]} }` },
    { name: "'f'", builder: "'builtin:fetch'", stdin: "{ url: 'http://127.0.0.1:9/x' }", outputHash: "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='" },
    { name: "'c'", builder: "'builtin:component-new'", stdin: `{ wasmTools: tool, module: ${refs[0]} }` },
  ];
  const fields = { ...r.pick(base) };
  const changes = r.int(3);
  for (let k = 0; k < changes; k++) {
    const field = r.pick(['name', 'builder', 'args', 'env', 'stdin', 'outputs', 'outputHash', 'outputHashMode', 'limits', 'unknown', '_private']);
    if (r.chance(0.15)) delete fields[field];
    else if (field === 'builder') fields[field] = r.pick(["'builtin:unpack'", "'builtin:nope'", "tool + '/../x'", "'/bin/sh'", "'/wpm/store/../../bin/sh'", value(r, refs)]);
    else if (field === 'stdin') fields[field] = `{ src: ${r.pick([...refs, value(r, refs)])}, strip: ${r.pick(['0', '1', "'1'", '-2'])}${r.chance(0.3) ? `, subdir: ${value(r, refs)}` : ''} }`;
    else if (field === 'outputs') fields[field] = r.pick(["['out']", "['out', 'lib']", "['.']", "['..']", "['out', 'out']", '[]', "['a/b']", value(r, refs)]);
    else if (field === 'limits') fields[field] = r.pick(['{ timeout: 5 }', "{ maxLogSize: '1M' }", '{ timeout: -1 }', '{ nope: 1 }', value(r, refs)]);
    else if (field === 'name') fields[field] = r.pick(["'x.y'", "'with space'", "'..'", "''", "'a/b'", value(r, refs)]);
    else fields[field] = value(r, refs);
  }
  return `wpm.derivation({ ${Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join(', ')} })`;
}

/** Damage the text a little: drop, double or insert a character. */
function damage(r: Random, text: string): string {
  const at = r.int(text.length);
  switch (r.int(3)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1);
    case 1:
      return text.slice(0, at) + text[at] + text.slice(at);
    default:
      return text.slice(0, at) + r.pick(['{', '}', '(', "'", '"', ',', ';', '|||', 'import ', '$', '\\']) + text.slice(at);
  }
}

function secretInStore(home: string): boolean {
  const walk = (p: string): boolean => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) return fs.readdirSync(p).some((n) => walk(path.join(p, n)));
    return st.isFile() && fs.readFileSync(p, 'latin1').includes(SECRET);
  };
  return walk(path.join(home, 'store'));
}

describe(`fuzzing evaluation with hostile derivations (${CASES} cases, seed ${SEED})`, () => {
  it('evaluates or refuses every case with a WpmError, and what builds takes no host byte', async () => {
    const r = new Random(SEED + 3);
    const dir = tempDir('fuzz-eval');
    const host = await hostTar(tempDir('fuzz-eval-host'));
    fs.writeFileSync(path.join(dir, 'input.txt'), 'an input\n');
    // An archive of the user's own, which a derivation may unpack (not the host's secret).
    fs.copyFileSync(await hostTar(tempDir('fuzz-eval-archive'), 'the user input\n'), path.join(dir, 'archive.tar'));
    const home = path.join(dir, 'home');
    const store = LocalStore.open(home, { durable: false });
    const refs = [
      "wpm.path(std.thisFile, 'archive.tar')",
      "wpm.path(std.thisFile, 'input.txt')",
      "wpm.writeText('t', 'x')",
      `'${STORE_DIR}/${'../'.repeat(12)}${host.slice(1)}'`,
      "wpm.writeText('t', 'x') + '/../../../" + host.slice(1) + "'",
    ];
    const counts = { evaluated: 0, refused: 0, built: 0, failedToBuild: 0 };
    for (let i = 0; i < CASES; i++) {
      let text = `local wpm = import 'wpm.libsonnet';\nlocal tool = wpm.writeText('tool.wasm', 'not wasm');\n${spec(r, refs)}\n`;
      if (r.chance(0.15)) text = damage(r, text);
      const file = path.join(dir, `case-${i}.jsonnet`);
      fs.writeFileSync(file, text);
      let evaluated;
      try {
        evaluated = await evaluateFile(store, { file, attrs: [], args: [] }, { libDirs: LIB_DIRS, cache: false, limits: { timeoutMs: 30_000 } });
        counts.evaluated++;
      } catch (err) {
        counts.refused++;
        expect(crashOf(err), text).toBeUndefined();
        continue;
      }
      // Only builtins build here (the tool is no wasm): unpack must never reach the host's tar.
      const targets = evaluated.targets.filter((t) => evaluated.derivations.get(t.drvPath)?.builder === 'builtin:unpack');
      if (targets.length === 0) continue;
      const result = await realise(store, targets.map((t) => t.drvPath), evaluated.derivations, { jobs: 1 });
      counts.built += result.built.length;
      counts.failedToBuild += result.failed.length;
      for (const f of result.failed) expect(crashOf(f.error), text).toBeUndefined();
    }
    console.log(`evaluation fuzz: ${JSON.stringify(counts)}`);
    expect(secretInStore(home)).toBe(false);
    expect(counts.evaluated).toBeGreaterThan(0);
    expect(counts.refused).toBeGreaterThan(0);
  }, 600_000);

  it('through the command line: no internal error and no stack trace in 20 hostile files', async () => {
    const r = new Random(SEED + 4);
    const dir = tempDir('fuzz-cli');
    const host = await hostTar(tempDir('fuzz-cli-host'));
    fs.writeFileSync(path.join(dir, 'input.txt'), 'an input\n');
    const refs = ["wpm.path(std.thisFile, 'input.txt')", `'${STORE_DIR}/${'../'.repeat(12)}${host.slice(1)}'`];
    const home = path.join(dir, 'home');
    for (let i = 0; i < 20; i++) {
      let text = `local wpm = import 'wpm.libsonnet';\nlocal tool = wpm.writeText('tool.wasm', 'not wasm');\n${spec(r, refs)}\n`;
      if (r.chance(0.3)) text = damage(r, text);
      const file = path.join(dir, `case-${i}.jsonnet`);
      fs.writeFileSync(file, text);
      const res = wpm(['build', '--no-link', file], { home });
      expect(res.stderr, text).not.toMatch(/internal error|\n\s+at .+:\d+:\d+/);
      expect([0, 1, 2, 3]).toContain(res.status);
    }
    expect(secretInStore(home)).toBe(false);
  }, 300_000);
});
