// A large object (a package set) is evaluated in slices by several Jsonnet VMs at once. The
// result, the derivations and the errors must be those of one VM.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARD_MIN_FIELDS, evaluate, type Derivation, type EvalIO, type Json } from '../../derivations/index.js';
import { START_WITH_FIRST_BYTES } from '../../derivations/evaluator.js';
import { ChunkControl, ChunkValues } from '../../derivations/package-set.js';
import { VmWorker } from '../../derivations/vm-worker-handle.js';
import { makeTextPath } from '../../store/format/index.js';
import { EvalRecorder } from '../../glue/index.js';
import { builtinRequests } from '../../runtime/builders/index.js';
import { REPO, tempDir } from '../helpers/cli.js';

const LIB = path.join(REPO, 'packages/lib');
const BUILTINS = builtinRequests();

/** Sources and texts land in memory; `added` counts what each call was asked to add. */
function memoryIO(): EvalIO & { added: string[] } {
  const added: string[] = [];
  return {
    added,
    addPath: async (hostPath) => {
      throw new Error(`no host paths in this test: ${hostPath}`);
    },
    addText: async (name, text, references) => {
      added.push(name);
      return makeTextPath(name, text, references);
    },
    isValidPath: () => false,
  };
}

/**
 * The shared text is made only once two VMs have asked for it, so that the first VM cannot take
 * every chunk before the second has started (a worker takes a while to start, the more so under
 * vitest, which transpiles its modules).
 */
function bothVmsRun<T extends EvalIO>(io: T): T {
  const made = io.addText;
  let asked = 0;
  let bothAsked: () => void;
  const both = new Promise<void>((resolve) => (bothAsked = resolve));
  io.addText = async (...a) => {
    if (++asked === 2) bothAsked();
    await Promise.race([both, new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
    return made(...a);
  };
  return io;
}

/** A package set of `n` derivations, each depending on one of two shared ones (so n + 2 in all). */
function packageSet(n: number, extra = '', extraArgs = ''): string {
  const dir = tempDir('set');
  const lines = [
    "local wpm = import 'wpm.libsonnet';",
    "local tool = wpm.writeText('tool.wasm', 'not really wasm');",
    `local pkg(i, deps) = wpm.derivation({ name: "p" + i, builder: tool, args: ["tool", "--index", std.toString(i), ${extraArgs}] + [d.out for d in deps] });`,
    'local base0 = pkg("base0", []), base1 = pkg("base1", [base0]);',
    'local set = {',
  ];
  for (let i = 0; i < n; i++) lines.push(`  p${i}: pkg(${i}, [base${i % 2}]),`);
  lines.push(`  notADerivation: { count: ${n}, names: ['a', 'b'] },`, extra, '};', 'set');
  const file = path.join(dir, 'set.jsonnet');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/**
 * A file evaluated by one VM, then by two that both run (see bothVmsRun): each VM made the shared
 * text for itself, the second in its worker through this thread, and the value and derivations
 * are one VM's.
 */
async function oneAndTwo(file: string, makeIO: () => EvalIO & { added: string[] } = memoryIO) {
  const one = await evaluate({ file }, makeIO(), { libDirs: [LIB], builtins: BUILTINS, parallelism: 1 });
  const io = bothVmsRun(makeIO());
  // Two VMs: libuv's default pool of four threads leaves two for evaluation (see the I/O test).
  const two = await evaluate({ file }, io, { libDirs: [LIB], builtins: BUILTINS, parallelism: 2 });
  expect(io.added).toEqual(['tool.wasm', 'tool.wasm']);
  expect(JSON.stringify(two.value)).toBe(JSON.stringify(one.value));
  expect(new Map([...two.derivations].sort())).toEqual(new Map([...one.derivations].sort()));
  return { one, two };
}

/**
 * A package set evaluated by one VM in a worker alone, taking every chunk (the first VM's part
 * left out): what the worker hands back, and whether it failed.
 */
async function workerAlone(file: string, fields: string[], onMade?: (drvPath: string, drv: Derivation) => void) {
  const control = ChunkControl.create();
  control.setCount(fields.length);
  const values = new ChunkValues();
  const derivations = new Map<string, Derivation>();
  const worker = new VmWorker({ file, attrs: [], args: [], libDirs: [LIB], builtins: BUILTINS }, control, memoryIO(), values, (p, d) => {
    onMade?.(p, d);
    derivations.set(p, d);
  });
  worker.go(true);
  const { failed } = await worker.ended;
  return { failed, stopped: control.failed(), value: failed ? undefined : values.value(fields), derivations };
}

/** The message an evaluation fails with ('no error' if it succeeds), at each parallelism. */
function errorsOf(file: string, parallelisms: number[]): Promise<string[]> {
  return Promise.all(
    parallelisms.map((parallelism) =>
      evaluate({ file }, memoryIO(), { libDirs: [LIB], builtins: BUILTINS, parallelism }).then(
        () => 'no error',
        (err: Error) => err.message,
      ),
    ),
  );
}

describe('parallel evaluation of a large object', () => {
  it('gives the value and derivations of one VM', async () => {
    const file = packageSet(SHARD_MIN_FIELDS * 2 + 7);
    const { one, two } = await oneAndTwo(file);
    expect(Object.keys(two.value as object)).toEqual(Object.keys(one.value as object));
    expect(two.value).toEqual(one.value);
    expect(one.derivations.size).toBe(SHARD_MIN_FIELDS * 2 + 7 + 2);
    // Every slice met the shared dependencies and gave them the same paths.
    const value = one.value as Record<string, { drvPath: string }>;
    const inputs = (name: string) => Object.keys(two.derivations.get(value[name]!.drvPath)!.inputDrvs);
    expect(inputs('p1')).toEqual(inputs(`p${SHARD_MIN_FIELDS * 2 + 5}`));
    expect(inputs('p0')).not.toEqual(inputs('p1'));
  });

  it("keeps a field named '__proto__' as one VM does", async () => {
    const file = packageSet(SHARD_MIN_FIELDS, "  '__proto__': { x: 1 },");
    const one = await evaluate({ file }, memoryIO(), { libDirs: [LIB], builtins: BUILTINS, parallelism: 1 });
    const two = await evaluate({ file }, memoryIO(), { libDirs: [LIB], builtins: BUILTINS, parallelism: 2 });
    expect(Object.keys(two.value as object)).toContain('__proto__');
    expect(JSON.stringify(two.value)).toBe(JSON.stringify(one.value));
  });

  it('leaves pool threads for the file I/O its native calls wait for', async () => {
    // Each VM holds a libuv pool thread while it waits for its callback; this callback reads a file,
    // which needs a pool thread of its own. Asked for four VMs, it must not take all four threads.
    const file = packageSet(SHARD_MIN_FIELDS * 2);
    const io: EvalIO = {
      ...memoryIO(),
      addText: async (name, text, references) => {
        await fs.promises.readFile(file);
        return makeTextPath(name, text, references);
      },
    };
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('evaluation hung')), 60_000).unref());
    const r = await Promise.race([evaluate({ file }, io, { libDirs: [LIB], builtins: BUILTINS, parallelism: 4 }), timeout]);
    expect(Object.keys((r as { value: object }).value)).toHaveLength(SHARD_MIN_FIELDS * 2 + 1);
  });

  it('evaluates a small object, or anything else, in one VM', async () => {
    const file = packageSet(10);
    const io = memoryIO();
    const r = await evaluate({ file }, io, { libDirs: [LIB], builtins: BUILTINS, parallelism: 4 });
    expect(Object.keys(r.value as object)).toHaveLength(11);
    // One VM made the shared text once; slices would each have made it.
    expect(io.added).toEqual(['tool.wasm']);
    const one = await evaluate({ file, attrPath: 'p9' }, memoryIO(), { libDirs: [LIB], builtins: BUILTINS, parallelism: 4 });
    expect(one.value).toMatchObject({ type: 'derivation', name: 'p9' });
    expect(one.derivations.size).toBe(3); // p9, base1, base0
  });

  it('reports the first failing field in field order, as one VM would', async () => {
    // 'a…' sorts into the first slice, 'z…' into the last; both fail.
    const file = packageSet(SHARD_MIN_FIELDS * 2, "  zzz: error 'the last field fails',\n  aaa: error 'the first field fails',");
    const messages = await errorsOf(file, [1, 3]);
    expect(messages[0]).toContain('the first field fails');
    expect(messages[0]).toMatch(/set\.jsonnet:\d+:\d+/);
    expect(messages[1]).toBe(messages[0]);
  });
});

describe("one VM's result, whatever a package set's code does", () => {
  // VMs take chunks of fields in no fixed order. Whatever user code does with derivation objects,
  // the value, the derivations and the errors must still be one VM's. (A design that answered
  // derivations with placeholder paths and instantiated them afterwards failed several of these.)
  const same = async (extra: string) => {
    const file = packageSet(SHARD_MIN_FIELDS * 2, extra);
    const { one, two } = await oneAndTwo(file);
    // Which VM evaluates a field depends on timing: a worker alone evaluates every one.
    const alone = await workerAlone(file, Object.keys(one.value as object));
    expect(alone.failed).toBe(false);
    expect(JSON.stringify(alone.value)).toBe(JSON.stringify(one.value));
    expect(new Map([...alone.derivations].sort())).toEqual(new Map([...one.derivations].sort()));
    return two.value as Record<string, Record<string, unknown>>;
  };
  const sameError = async (extra: string) => {
    const messages = await errorsOf(packageSet(SHARD_MIN_FIELDS * 2, extra), [1, 2]);
    expect(messages[1]).toBe(messages[0]);
    return messages[0]!;
  };

  it('gives a derivation the fields and paths the host would', async () => {
    const value = await same('');
    expect(Object.keys(value.p3!)).toEqual(['drvPath', 'name', 'out', 'outputs', 'type']);
    expect(value.p3!.out).toMatch(/^\/wpm\/store\/[0-9a-z]{32}-p3$/);
    expect(value.p3!.outputs).toEqual({ out: value.p3!.out });
  });

  it('keeps fields added to a derivation, and values computed from its paths', async () => {
    const value = await same(`
  extended: pkg('e', []) + { meta: { homepage: 'x' }, bin: self.out + '/bin' },
  renamed: pkg('r', []) + { name: 'pretty' },
  measured: pkg('m', []) + { len: std.length(self.out), hash: std.md5(self.drvPath) },
  replaced: pkg('x', []) + { out: 'not a path' },
  hidden: pkg('h', []) + { extra:: self.out },`);
    expect(value.extended!.bin).toBe(`${value.extended!.out}/bin`);
    expect(value.renamed!.name).toBe('pretty');
    expect(value.measured!.len).toBe((value.measured!.out as string).length);
    expect(value.replaced!.out).toBe('not a path');
    expect(Object.keys(value.hidden!)).toEqual(['drvPath', 'name', 'out', 'outputs', 'type']);
  });

  it('makes derivations of several outputs, and other values, through the host', async () => {
    const value = await same(`
  multi: wpm.derivation({ name: 'multi', builder: tool, outputs: ['out', 'dev'] }),
  list: [pkg('l', [])],
  nested: { inner: pkg('n', []) },`);
    expect(Object.keys(value.multi!).sort()).toEqual(['dev', 'drvPath', 'name', 'out', 'outputs', 'type']);
  });

  it('decides with the real paths and names, not stand-ins', async () => {
    const value = await same(`
  table: pkg('pr', []) + { name: std.get({ ppr: 'pretty' }, super.name, super.name) },
  compared: pkg('c', []) + { out: if self.drvPath != $.twin.drvPath then super.out else 'same as its twin' },
  twin: pkg('c', []),`);
    expect(value.table!.name).toBe('pretty');
    expect(value.compared!.out).toBe('same as its twin');
  });

  it('makes a derivation whose paths nothing reads, and fails on it as one VM does', async () => {
    const value = await same("  onlyType: wpm.derivation({ name: 'hid', builder: tool }).type,");
    expect(value.onlyType).toBe('derivation');
    const message = await sameError("  onlyType: wpm.derivation({ name: 'bad name', builder: tool }).type,");
    expect(message).toContain("derivation 'bad name': invalid name");
    expect(await sameError("  a: wpm.derivation({ name: 'a', builder: tool, args: [$.a.type] }),")).toMatch(/infinite recursion|dependency cycle/);
  });

  it('tells of every derivation it returns, even after a failed attempt', async () => {
    // A failure in parallel is evaluated again by one VM; what the first attempt could not hand on
    // (the .drv writer failed) must be handed on by the second, or it would never be written.
    const file = packageSet(SHARD_MIN_FIELDS * 2);
    const told = new Set<string>();
    let failures = 0;
    const r = await evaluate({ file }, memoryIO(), {
      libDirs: [LIB], builtins: BUILTINS,
      parallelism: 2,
      onInstantiated: (drvPath) => {
        if (told.size === 100 && failures++ === 0) throw new Error('the disk was full for a moment');
        told.add(drvPath);
      },
    });
    expect(failures).toBeGreaterThan(0);
    expect([...r.derivations.keys()].filter((p) => !told.has(p))).toEqual([]);
  });

  it('reports a failure in another VM while the first is still busy', async () => {
    // The first VM is held up by a slow first field; another VM meets the bad field meanwhile.
    // Its failure must wait for the first VM, not end the process as an unhandled rejection.
    const dir = tempDir('set');
    const file = path.join(dir, 'set.jsonnet');
    const fields = Array.from({ length: 600 }, (_, i) => {
      const name = `f${String(i).padStart(4, '0')}`;
      if (i === 0) return `  ${name}: std.foldl(function(a, b) a + b, std.range(1, 300000), 0),`;
      if (i === 200) return `  ${name}: wpm.derivation({ name: 'bad', builder: tool, args: 'not-an-array' }),`;
      return `  ${name}: wpm.derivation({ name: '${name}', builder: tool }),`;
    });
    fs.writeFileSync(file, ["local wpm = import 'wpm.libsonnet';", "local tool = wpm.writeText('tool.wasm', 'x');", '{', ...fields, '}', ''].join('\n'));
    const [message] = await errorsOf(file, [2]);
    expect(message).toContain(`derivation 'bad': field 'args' must be an array of strings`);
    expect(message).toContain('set.jsonnet:204:');
  });

  it("reports a derivation's bad field as one VM does, with the caller's line", async () => {
    const file = packageSet(SHARD_MIN_FIELDS * 2, "  mmm: wpm.derivation({ name: 'bad', builder: tool, args: 'not-an-array' }),");
    const messages = await errorsOf(file, [1, 2]);
    expect(messages[0]).toContain(`derivation 'bad': field 'args' must be an array of strings`);
    expect(messages[0]).toMatch(new RegExp(`${path.basename(file)}:${SHARD_MIN_FIELDS * 2 + 7}:`));
    expect(messages[1]).toBe(messages[0]);
  });
});

describe('VMs in workers', () => {
  it("answer a worker's store questions on the main thread: texts, sources and valid paths", async () => {
    // Every derivation names a path the store holds, written out; the worker asks whether it is
    // valid (a synchronous question) and adds a host file through the main thread.
    const known = `/wpm/store/${'k'.repeat(32)}-known`;
    const host = path.join(tempDir('src'), 'hello.c');
    fs.writeFileSync(host, 'int main() { return 0; }\n');
    const file = packageSet(SHARD_MIN_FIELDS * 2, '', `'${known}', wpm.path('${host}', 'hello.c')`);
    const { two } = await oneAndTwo(file, () => ({
      ...memoryIO(),
      addPath: async (hostPath: string, opts: { name: string }) => makeTextPath(opts.name, fs.readFileSync(hostPath, 'utf8'), []),
      isValidPath: (p: string) => p === known,
    }));
    const p7 = two.derivations.get((two.value as Record<string, { drvPath: string }>).p7!.drvPath)!;
    expect(p7.inputSrcs).toContain(known);
  });

  it('fail the evaluation when the main thread cannot take what they made', async () => {
    // As onInstantiated failing for the first VM's derivation (the .drv writer failed): the
    // worker's VM stops, and evaluate asks one VM again (the test above).
    const file = packageSet(SHARD_MIN_FIELDS * 2);
    const one = await evaluate({ file }, memoryIO(), { libDirs: [LIB], builtins: BUILTINS, parallelism: 1 });
    const r = await workerAlone(file, Object.keys(one.value as object), () => {
      throw new Error('the disk was full for a moment');
    });
    expect(r.failed).toBe(true);
    expect(r.stopped).toBe(true);
  });

  it('report recursion as one VM does, though the first VM runs a different snippet', async () => {
    const dir = tempDir('cycle');
    const file = path.join(dir, 'cycle.jsonnet');
    fs.writeFileSync(
      file,
      [
        "local wpm = import 'wpm.libsonnet';",
        "local tool = wpm.writeText('tool.wasm', 'x');",
        '{',
        "  a: wpm.derivation({ name: 'a', builder: tool, args: [$.b.out] }),",
        "  b: wpm.derivation({ name: 'b', builder: tool, args: [$.a.out] }),",
        '}',
        '',
      ].join('\n'),
    );
    const [alone, inParallel] = await errorsOf(file, [1, 2]);
    expect(alone).toMatch(/^dependency cycle: /);
    expect(inParallel).toBe(alone);
  });

  it('start with the first VM for a large file, and end untold if its value is no package set', async () => {
    // 64 KiB of comment makes the file large enough; the value is one derivation.
    const dir = tempDir('big');
    const file = path.join(dir, 'one.jsonnet');
    const padding = Array.from({ length: 1200 }, () => `// ${'x'.repeat(60)}`).join('\n');
    fs.writeFileSync(file, `${padding}\nlocal wpm = import 'wpm.libsonnet';\nwpm.derivation({ name: 'one', builder: wpm.writeText('tool.wasm', 'x') })\n`);
    expect(fs.statSync(file).size).toBeGreaterThanOrEqual(START_WITH_FIRST_BYTES);
    const one = await evaluate({ file }, memoryIO(), { libDirs: [LIB], builtins: BUILTINS, parallelism: 1 });
    // The worker imports the file, which evaluates its top (here the derivation) as far as the
    // first native call, which waits for the word; told the value is no package set, it ends,
    // having made nothing.
    const io = memoryIO();
    const two = await evaluate({ file }, io, { libDirs: [LIB], builtins: BUILTINS, parallelism: 2 });
    expect(io.added).toEqual(['tool.wasm']);
    expect(two.value).toMatchObject({ type: 'derivation', name: 'one' });
    expect(two.value).toEqual(one.value);
    expect([...two.derivations.keys()]).toEqual([...one.derivations.keys()]);
    // A syntax error in a large file is the first VM's, once.
    fs.writeFileSync(file, `${padding}\n{ a: }\n`);
    const [alone, inParallel] = await errorsOf(file, [1, 2]);
    expect(alone).toMatch(/one\.jsonnet:1201:/);
    expect(inParallel).toBe(alone);
  });

  it('start with the first VM for a large package set, and give one VM\'s result', async () => {
    const file = packageSet(SHARD_MIN_FIELDS * 2, `  padding: ${JSON.stringify('x'.repeat(70 * 1024))},`);
    expect(fs.statSync(file).size).toBeGreaterThanOrEqual(START_WITH_FIRST_BYTES);
    await oneAndTwo(file);
  });
});

describe('the evaluation cache record of a parallel evaluation', () => {
  it('keeps one record of a source each VM added', async () => {
    const recorder = new EvalRecorder({
      ...memoryIO(),
      addPath: async (hostPath, opts) => `/wpm/store/${'c'.repeat(32)}-${opts.name}`,
    });
    for (let vm = 0; vm < 3; vm++) await recorder.addPath('/src/hello.c', { name: 'hello.c', exclude: [] });
    await recorder.addPath('/src/hello.c', { name: 'hello.c', exclude: ['*.o'] });
    expect(recorder.pathCalls.map((c) => c.exclude)).toEqual([[], ['*.o']]);
  });
});
