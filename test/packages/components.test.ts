// cc.executable { component: true } through the real CLI: the link output wrapped by
// builtin:component-new (wasm-tools as WebAssembly, in wpm's own host) into a WASI 0.2 command
// component, run with `wpm run` and used as a builder, against the same program as a wasip1
// module; reproducible across homes; and wraps that fail, registering nothing.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { componentNew as jcoComponentNew, preview1AdapterCommandPath } from '@bytecodealliance/jco';
import { REPO, readTree, wpm, wpmOk, wpmP, type CliResult } from '../helpers/cli.js';
import { started } from '../helpers/build-events.js';
import { seededHome } from '../helpers/seed.js';

const PACKAGES = path.join(REPO, 'packages/default.jsonnet');
const FIXTURE = path.join(REPO, 'test/packages/fixtures/component/default.jsonnet');
const CORE_PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const COMPONENT_PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

interface Drv {
  name: string;
  builder: string;
  args: string[];
  stdin: Record<string, unknown> | null;
}

/** `wpm build --json` of some attributes: attr → output path, plus the CLI result. */
async function build(home: string, file: string, attrs: string[]): Promise<{ r: CliResult; out: Record<string, string> }> {
  const r = await wpmP(['build', '--no-link', '--json', file, ...attrs.flatMap((a) => ['-A', a])], { home });
  if (r.status !== 0) throw new Error(`wpm build ${attrs.join(' ')} exited ${r.status}:\n${r.stderr.slice(-4000)}`);
  const out = Object.fromEntries((JSON.parse(r.stdout) as { attr: string; outputs: { out: string } }[]).map((t) => [t.attr, t.outputs.out]));
  return { r, out };
}

const hostPath = (home: string, storePath: string) => path.join(home, 'store', storePath.slice('/wpm/store/'.length));
const preamble = (file: string) => [...fs.readFileSync(file).subarray(0, 8)];

async function evalAttr(home: string, file: string, attr: string): Promise<{ drvPath: string; out: string }> {
  return JSON.parse(await wpmOk(['eval', '--json', file, '-A', attr], { home })) as { drvPath: string; out: string };
}

describe('cc.executable { component: true }', () => {
  let home: string;
  let hello: { r: CliResult; out: Record<string, string> };
  let fixtures: { r: CliResult; out: Record<string, string> };

  beforeAll(async () => {
    home = seededHome('component-a');
    hello = await build(home, PACKAGES, ['hello', 'hello-component']);
    fixtures = await build(home, FIXTURE, ['probe.module', 'probe.component', 'report.module', 'report.component']);
  }, 600_000);

  it('wraps the same link output as the module build: one compile, one link, then install or component-new', async () => {
    // (install.o and install.wasm: wpm's install tool. hello-module.wasm: the link output without
    // the module name wasm-ld gives it, as the module build's install step copies it.)
    expect(started(hello.r)).toEqual(['hello', 'hello', 'hello-module.wasm', 'hello.o', 'hello.wasm', 'install.o', 'install.wasm']);
    const drvs = JSON.parse(await wpmOk(['show-derivation', '-r', PACKAGES, '-A', 'hello-component'], { home })) as Record<string, Drv & { outputs: { out: { path: string } } }>;
    const wrap = Object.values(drvs).find((d) => d.builder === 'builtin:component-new')!;
    const module = Object.values(drvs).find((d) => d.name === 'hello-module.wasm')!;
    const install = Object.values(JSON.parse(await wpmOk(['show-derivation', PACKAGES, '-A', 'hello'], { home })) as Record<string, Drv>)[0]!;
    // Both install steps: ['install', '--program', <link output>, <destination>]
    expect(install.args.slice(0, 2)).toEqual(['install', '--program']);
    expect(module.args.slice(0, 3)).toEqual(install.args.slice(0, 3));
    expect(wrap.stdin).toMatchObject({ module: module.outputs.out.path, output: 'bin/hello.wasm' });
    expect(String((wrap.stdin!.adapters as Record<string, string>).wasi_snapshot_preview1)).toMatch(/-jco-1\.35\.0-adapters\/wasi_snapshot_preview1\.command\.wasm$/);
  });

  it("keeps neither program's link output in its closure (wasm-ld names a module after its output path)", async () => {
    for (const attr of ['hello', 'hello-component']) {
      const closure = (await wpmOk(['store', 'path-info', '--closure', hello.out[attr]!], { home })).trim().split('\n');
      expect(closure.map((l) => l.split('\t')[0])).toEqual([hello.out[attr]]);
    }
  });

  it('puts a component at $out/bin/<name>.wasm where the module build puts a core module', () => {
    expect(preamble(path.join(hostPath(home, hello.out['hello-component']!), 'bin/hello.wasm'))).toEqual(COMPONENT_PREAMBLE);
    expect(preamble(path.join(hostPath(home, hello.out.hello!), 'bin/hello.wasm'))).toEqual(CORE_PREAMBLE);
    expect(preamble(path.join(hostPath(home, fixtures.out['probe.component']!), 'bin/probe.wasm'))).toEqual(COMPONENT_PREAMBLE);
  });

  it("is exactly what jco's componentNew makes of the same link output and adapter", async () => {
    const drvs = JSON.parse(await wpmOk(['show-derivation', PACKAGES, '-A', 'hello-component'], { home })) as Record<string, Drv>;
    const linked = fs.readFileSync(hostPath(home, Object.values(drvs)[0]!.stdin!.module as string));
    const oracle = await jcoComponentNew(linked, [['wasi_snapshot_preview1', fs.readFileSync(preview1AdapterCommandPath())]]);
    const ours = fs.readFileSync(path.join(hostPath(home, hello.out['hello-component']!), 'bin/hello.wasm'));
    expect(ours.equals(Buffer.from(oracle))).toBe(true);
  });

  it('runs under `wpm run` with the same stdout, stderr and exit code as the module', () => {
    const run = (attr: string, args: string[], input = '') => {
      const r = wpm(['run', attr.startsWith('hello') ? PACKAGES : FIXTURE, '-A', attr, '--', ...args], { home, input });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const greeting = run('hello', ['world', 'wasm']);
    expect(greeting.stdout).toBe('Hello, world! This program was built by clang.wasm under wpm.\nHello, wasm! This program was built by clang.wasm under wpm.\n');
    expect(run('hello-component', ['world', 'wasm'])).toEqual(greeting);
    expect(run('hello-component', [])).toEqual(run('hello', []));
    // The probe reads stdin, is denied /etc/passwd and /data (no --dir), and exits as told.
    for (const status of ['0', '1']) {
      const mod = run('probe.module', [status], 'a line\n');
      expect(mod).toEqual({ status: Number(status), stdout: 'stdin: a line\npasswd: denied\ndata: denied\n', stderr: 'to stderr\n' });
      expect(run('probe.component', [status], 'a line\n')).toEqual(mod);
    }
  });

  it('builds another step as its builder exactly as the module does: same output tree, same log', async () => {
    const mod = readTree(hostPath(home, fixtures.out['report.module']!));
    const comp = readTree(hostPath(home, fixtures.out['report.component']!));
    expect([...mod.keys()].sort()).toEqual(['copies/a.txt', 'copies/b.txt', 'report.txt']);
    expect(mod.get('copies/a.txt')!.toString()).toBe('ALPHA\n');
    expect(mod.get('report.txt')!.toString()).toContain('stdin = {"say":"stdin as JSON"}\n');
    expect(new Map([...comp].map(([k, v]) => [k, v.toString()]))).toEqual(new Map([...mod].map(([k, v]) => [k, v.toString()])));
    const logOf = async (attr: string) => wpmOk(['log', (await evalAttr(home, FIXTURE, attr)).drvPath], { home });
    expect(await logOf('report.module')).toBe('tool: 2 files');
    expect(await logOf('report.component')).toBe('tool: 2 files');
  });

  it('fails a step whose component builder exits non-zero, as the module does (the adapter reports any failure as 1)', async () => {
    const [mod, comp] = await Promise.all(['failingReport.module', 'failingReport.component'].map((a) => wpmP(['build', '--no-link', FIXTURE, '-A', a], { home })));
    expect(mod!.status).toBe(1);
    expect(comp!.status).toBe(1);
    expect(mod!.stderr).toMatch(/builder for 'tool-report' \(\/wpm\/store\/[0-9a-z]{32}-tool-report\.drv\) exited with status 3/);
    expect(comp!.stderr).toMatch(/builder for 'tool-report' \(\/wpm\/store\/[0-9a-z]{32}-tool-report\.drv\) exited with status 1/);
  });

  it('gives byte-identical components in two fresh homes', async () => {
    const homeB = seededHome('component-b');
    const b = await build(homeB, PACKAGES, ['hello-component']);
    expect(started(b.r)).toEqual(['hello', 'hello-module.wasm', 'hello.o', 'hello.wasm', 'install.o', 'install.wasm']);
    expect(b.out['hello-component']).toBe(hello.out['hello-component']);
    const a = readTree(hostPath(home, hello.out['hello-component']!));
    const bTree = readTree(hostPath(homeB, b.out['hello-component']!));
    expect([...a.keys()]).toEqual(['bin/hello.wasm']);
    expect(bTree.get('bin/hello.wasm')!.equals(a.get('bin/hello.wasm')!)).toBe(true);
  });
});

describe('builtin:component-new failures', () => {
  let home: string;
  beforeAll(() => {
    home = seededHome('component-fail');
  });

  async function expectFailedWrap(attr: string, name: string, wasmToolsError: RegExp): Promise<void> {
    const { drvPath, out } = await evalAttr(home, FIXTURE, attr);
    const r = await wpmP(['build', '--no-link', FIXTURE, '-A', attr], { home });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: component-new '${name}' (${drvPath}): wasm-tools could not make a component of /wpm/store/`);
    expect(r.stderr).toMatch(wasmToolsError);
    // Nothing registered: neither the output nor a leftover of it.
    expect(fs.existsSync(hostPath(home, out))).toBe(false);
    expect(wpm(['store', 'path-info', out], { home }).status).not.toBe(0);
  }

  it('fails on bytes that are not wasm, naming the derivation and carrying wasm-tools\' message', async () => {
    await expectFailedWrap('failing.notWasm', 'not-wasm', /magic header not detected/);
  });

  it('refuses a module outside the step\'s inputs and an output outside $out, naming the field', async () => {
    for (const [attr, message] of [
      ['failing.hostFile', "stdin.module '/etc/passwd' is not a store path"],
      ['failing.escapingOutput', 'stdin.output to be a relative file path inside $out, not "../elsewhere.wasm"'],
    ] as const) {
      const { drvPath, out } = await evalAttr(home, FIXTURE, attr);
      const r = await wpmP(['build', '--no-link', FIXTURE, '-A', attr], { home });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`component-new '${attr === 'failing.hostFile' ? 'host-file' : 'escaping-output'}' (${drvPath}): `);
      expect(r.stderr).toContain(message);
      expect(fs.existsSync(hostPath(home, out))).toBe(false);
    }
  });

  it('fails on a module importing what the adapter cannot provide, naming the import', async () => {
    await expectFailedWrap('failing.needsHost', 'needs-host', /failed to resolve import `env::host_thing`/);
  });
});
