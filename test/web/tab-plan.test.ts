// The tab's plan (web/loop), from `.drv` files alone, held to the CLI's own view of the same
// package: the closure show-derivation -r shows, the steps `wpm build --dry-run` would build, and
// the input closure the CLI's builder would give a step.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { derivationToJson } from '../../derivations/index.js';
import { inputClosure, planInTab, readDrvClosure, type DrvClosure, type TabPlan } from '../../web/loop/index.js';
import { REPO, tempDir, wpm, type CliResult } from '../helpers/cli.js';
import { seededHome } from '../helpers/seed.js';
import { cliView, storeReader, validIn, type CliView } from './cli-view.js';

type DrvJson = ReturnType<typeof derivationToJson> & { inputDrvs: Record<string, string[]>; inputSrcs: string[]; outputs: Record<string, { path: string }> };

/** Every step after the steps it depends on, and after every input derivation the plan builds. */
function expectInputsFirst(plan: TabPlan): void {
  const at = new Map(plan.steps.map((s, i) => [s.drvPath, i]));
  for (const [i, step] of plan.steps.entries()) {
    for (const input of Object.keys(step.drv.inputDrvs)) {
      if (at.has(input)) expect(at.get(input), `${input} before ${step.drvPath}`).toBeLessThan(i);
    }
    expect(step.deps.every((d) => (at.get(d) ?? Infinity) < i)).toBe(true);
  }
}

function ok(r: CliResult): string {
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** A step's roots computed from the CLI's JSON, not from the parsed derivations. */
function rootsFromCli(cli: CliView, drvPath: string): string[] {
  const drv = cli.derivations[drvPath] as DrvJson;
  const roots = new Set(drv.inputSrcs);
  for (const [input, outs] of Object.entries(drv.inputDrvs)) for (const o of outs) roots.add((cli.derivations[input] as DrvJson).outputs[o]!.path);
  return [...roots].sort();
}

describe.each([
  ['hello', ['hello', 'hello.o', 'hello.wasm', 'install.o', 'install.wasm']],
  ['b64', ['b64', 'b64.wasm', 'libbase64.a', 'decode.o', 'encode.o', 'io.o', 'main.o', 'options.o']],
])('the tab plans packages/%s from its .drv files as the CLI does', (pkg, someSteps) => {
  let home: string;
  let cli: CliView;
  let closure: DrvClosure;
  beforeAll(async () => {
    home = seededHome(`web-plan-${pkg}`);
    cli = cliView(home, path.join(REPO, 'packages', pkg));
    closure = await readDrvClosure(cli.target, storeReader(home));
  });

  it("reads the closure show-derivation -r shows, derivation for derivation", () => {
    expect([...closure.derivations.keys()].sort()).toEqual(Object.keys(cli.derivations).sort());
    for (const [drvPath, drv] of closure.derivations) expect(derivationToJson(drv), drvPath).toEqual(cli.derivations[drvPath]);
  });

  it('builds what `wpm build --dry-run` would build, inputs first, with their input roots', async () => {
    const plan = await planInTab(closure, { isValid: validIn(home), hasSubstitute: () => false });
    expect(plan.steps.map((s) => s.drvPath).sort()).toEqual(cli.toBuild);
    expect(plan.outputs).toEqual(cli.outputs);
    expect(plan.substitute).toEqual([]);
    expectInputsFirst(plan);
    const names = plan.steps.map((s) => s.drv.name);
    for (const n of someSteps) expect(names).toContain(n);
    for (const step of plan.steps) expect(step.inputRoots, step.drvPath).toEqual(rootsFromCli(cli, step.drvPath));
  });

  it('from an empty tab store, fetches from a binary cache what `wpm build --dry-run` would fetch, and builds the rest', async () => {
    // A real file:// cache with the toolchain (the outputs of the builtin steps), signed, as the
    // page's cache would be; the CLI's dry run from an empty home against it is the oracle.
    const cache = tempDir(`web-plan-cache-${pkg}`);
    const keys = tempDir(`web-plan-keys-${pkg}`);
    const toolchain = [...closure.derivations.values()]
      .filter((d) => d.builder.startsWith('builtin:'))
      .flatMap((d) => Object.values(d.outputs).map((o) => o.path))
      .filter(validIn(home));
    expect(toolchain.length).toBeGreaterThan(0);
    const pub = ok(wpm(['key', 'generate', 'web-plan', '--dir', keys], { home })).trim();
    ok(wpm(['store', 'sign', '-r', '--key', path.join(keys, 'web-plan.sec'), ...toolchain], { home }));
    ok(wpm(['copy', '--to', `file://${cache}`, '--compression', 'none', ...toolchain], { home }));
    const empty = tempDir(`web-plan-empty-${pkg}`);
    const dry = JSON.parse(ok(wpm(['build', '--dry-run', '--json', path.join(REPO, 'packages', pkg), '--substituters', `file://${cache}`, '--trusted-public-keys', pub], { home: empty }))) as {
      toBuild: string[];
      toFetch: { path: string }[];
    };

    const narinfo = (p: string) => path.join(cache, `${p.slice('/wpm/store/'.length, '/wpm/store/'.length + 32)}.narinfo`);
    const plan = await planInTab(closure, { isValid: () => false, hasSubstitute: (p) => fs.existsSync(narinfo(p)) });
    expect(plan.steps.map((s) => s.drvPath).sort()).toEqual(dry.toBuild);
    expectInputsFirst(plan);
    expect(plan.steps.some((s) => s.drv.builder.startsWith('builtin:'))).toBe(false);
    // What the tab fetches: the substituted paths and their references' closure, from the narinfos.
    const referencesOf = async (p: string) => (/^References: (.*)$/m.exec(fs.readFileSync(narinfo(p), 'utf8'))?.[1] ?? '').split(' ').filter(Boolean).map((r) => `/wpm/store/${r}`);
    expect(await inputClosure(plan.substitute, referencesOf)).toEqual(dry.toFetch.map((f) => f.path).sort());
    expect(plan.substitute.some((p) => p.endsWith('-wasm32-wasip1-sysroot'))).toBe(true);
    expect(plan.substitute.some((p) => /-yowasp-clang-[^/]+$/.test(p))).toBe(true);
  });

  it("walks a step's input closure as the CLI's store does, once its inputs are valid", async () => {
    const plan = await planInTab(closure, { isValid: validIn(home), hasSubstitute: () => false });
    // A compile step: its inputs (toolchain, sources) are valid in the seeded home already.
    const compile = plan.steps.find((s) => s.drv.name.endsWith('.o') && s.deps.length === 0)!;
    expect(compile).toBeDefined();
    const referencesOf = async (p: string) => {
      const file = path.join(home, 'db', `${p.slice('/wpm/store/'.length, '/wpm/store/'.length + 32)}.json`);
      return (JSON.parse(await fs.promises.readFile(file, 'utf8')) as { references: string[] }).references;
    };
    const walked = await inputClosure(compile.inputRoots, referencesOf);
    const r = wpm(['store', 'path-info', '--closure', '--json', ...compile.inputRoots], { home });
    expect(r.status, r.stderr).toBe(0);
    expect(walked).toEqual((JSON.parse(r.stdout) as { path: string }[]).map((i) => i.path).sort());
  });
});

