// WASI 0.2 components run under wpm's own preview2 interfaces: the same C programs built
// as a preview1 module and as a command component (module + jco's preview1 adapter) are
// run with the same options and must print the same bytes and leave the same files.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WasiPool, wasmKind, type ComponentRunnable, type Mount } from '../../runtime/wasi/index.js';
import { componentOf, loadComponent } from './component-env.js';
import { buildFixture, loadModule, runCaptured, sandbox, tempDir } from './wasi-env.js';

// Not here: misc.c and poll.c test preview1 calls the adapter cannot express (fd_allocate,
// fd_fdstat_set_rights, polling a bad fd); see docs/components.md.
const PROGRAMS = ['hello', 'files', 'dirs', 'rename', 'seek', 'stat', 'symlinks', 'stdin', 'args_env', 'clocks', 'random', 'probe', 'outputs'];
const pool = new WasiPool({ size: 2 });
const modules = new Map<string, WebAssembly.Module>();
const components = new Map<string, ComponentRunnable>();
const componentFiles = new Map<string, string>();
const INPUT = '/wpm/store/4444444444444444444444444444444z-input';

beforeAll(async () => {
  for (const p of PROGRAMS) {
    const file = await buildFixture(pool, p);
    modules.set(p, loadModule(file));
    const comp = await componentOf(file);
    componentFiles.set(p, comp);
    components.set(p, await loadComponent(comp));
  }
}, 600_000);
afterAll(() => pool.close());

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const n of fs.readdirSync(d).sort()) {
      const p = path.join(d, n);
      const st = fs.lstatSync(p);
      const r = rel + '/' + n;
      if (st.isSymbolicLink()) out[r] = '-> ' + fs.readlinkSync(p);
      else if (st.isDirectory()) (out[r] = 'dir'), walk(p, r);
      else out[r] = fs.readFileSync(p, 'base64');
    }
  };
  walk(dir, '');
  return out;
}

function input(): string {
  const dir = tempDir('input');
  fs.mkdirSync(path.join(dir, 'in/sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'in/b.txt'), 'bee');
  fs.writeFileSync(path.join(dir, 'in/a.txt'), 'a');
  fs.writeFileSync(path.join(dir, 'in/sub/deep'), 'deep');
  fs.symlinkSync('sub/deep', path.join(dir, 'in/link'));
  return path.join(dir, 'in');
}

/** Run one program both ways in fresh, identical sandboxes; stdout, stderr, exit and files. */
async function both(name: string, args: string[] = [], extra: { stdin?: Uint8Array; outputs?: boolean } = {}) {
  const inHost = input();
  const results = [];
  for (const kind of ['module', 'component'] as const) {
    const sb = sandbox(`${name}-${kind}`);
    const outDir = tempDir('out');
    const mounts: Mount[] = [...sb.mounts, { guest: INPUT, host: inHost, writable: false }];
    const outGuest = '/wpm/store/5555555555555555555555555555555z-out';
    const runnable = kind === 'module' ? modules.get(name)! : components.get(name)!;
    const r = await runCaptured(pool, runnable as WebAssembly.Module, {
      args: [name, ...args], env: { out: outGuest, SOURCE_DATE_EPOCH: '1' }, mounts, stdin: extra.stdin,
      outputs: extra.outputs ? [{ guest: outGuest, host: path.join(outDir, 'out') }] : [],
    });
    results.push({ ...r, build: tree(sb.build), tmp: tree(sb.tmp), out: tree(outDir) });
  }
  return results;
}

describe('components as builders', () => {
  it('detects a component by content, not by name', async () => {
    expect(wasmKind(fs.readFileSync(componentFiles.get('hello')!))).toBe('component');
    expect(wasmKind(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toBe('module');
    expect(wasmKind(new Uint8Array([1, 2, 3]))).toBe('unknown');
  });

  const CASES: [string, string[], { stdin?: Uint8Array; outputs?: boolean }?][] = [
    ['hello', ['world']],
    ['files', []], ['dirs', []], ['rename', []], ['seek', []], ['stat', []], ['symlinks', []],
    ['stdin', [], { stdin: new TextEncoder().encode('{"some":"json"}\n'.repeat(300)) }],
    ['args_env', ['a', 'b c']], ['clocks', []], ['random', []],
    ['outputs', ['/wpm/store/5555555555555555555555555555555z-out', 'dir'], { outputs: true }],
    ['outputs', ['/wpm/store/5555555555555555555555555555555z-out', 'file'], { outputs: true }],
  ];
  for (const [name, args, extra] of CASES) {
    it(`${name} ${args.join(' ')}: same stdout, stderr, exit code and files as the module`, async () => {
      const [m, c] = await both(name, args, extra);
      expect(c).toEqual(m);
    });
  }

  it('the determinism probe prints the same bytes as a component as it does as a module', async () => {
    const [m, c] = await both('probe', ['arg'], { stdin: new TextEncoder().encode('{"a":1}') });
    const [c2] = (await both('probe', ['arg'], { stdin: new TextEncoder().encode('{"a":1}') })).slice(1);
    expect(m.exitCode).toBe(0);
    expect(c2.stdout).toBe(c.stdout); // the component's own output is deterministic
    // What the preview1 adapter answers by itself ('..' entries, stdio fstat, no CPU-time
    // clocks) the preview1 host answers the same way, so not one line differs.
    expect(m.stdout).toContain('\n .. d_ino=0 d_type=3\n');
    expect(m.stdout).toContain('clock 2 res=0 t=0\n');
    expect(c).toEqual(m);
  });
});

describe('components in the store', () => {
  it('transpiles a builder component once per store, and runs it from the store path', async () => {
    const { LocalStore } = await import('../../store/index.js');
    const { runnableFor, transpiledPath } = await import('../../runtime/builders/index.js');
    const store = LocalStore.open(tempDir('home'), { durable: false });
    const bytes = fs.readFileSync(componentFiles.get('hello')!);
    let transpiles = 0;
    const p1 = await transpiledPath(store, bytes, { onTranspile: () => transpiles++ });
    const p2 = await transpiledPath(store, bytes, { onTranspile: () => transpiles++ });
    expect(transpiles).toBe(1);
    expect(p2).toBe(p1);
    expect(p1).toMatch(/^\/wpm\/store\/[0-9a-z]{32}-jco-[0-9a-f]{32}-component$/);
    const runnable = await runnableFor(store, bytes, 'hello');
    const sb = sandbox('store-hello');
    const r = await runCaptured(pool, runnable as WebAssembly.Module, { args: ['hello', 'store'], env: {}, mounts: sb.mounts });
    expect(r.stdout).toBe((await runCaptured(pool, modules.get('hello')!, { args: ['hello', 'store'], env: {}, mounts: sb.mounts })).stdout);
  });
});
