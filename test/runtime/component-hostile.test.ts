// Hostile guests as components: the same programs as the module suite, run as WASI 0.2
// command components, are denied the same things; a component that imports an interface
// wpm does not provide (wasi:sockets) is refused, naming it.

import fs from 'node:fs';
import path from 'node:path';
import { parse } from '@bytecodealliance/jco';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWpmError } from '../../util/errors.js';
import { WasiPool, type ComponentRunnable, type Mount, type WasiRunOptions } from '../../runtime/wasi/index.js';
import { componentOf, loadComponent } from './component-env.js';
import { buildFixture, CACHE, loadModule, runCaptured, sandbox, tempDir } from './wasi-env.js';

const PROGRAMS = ['tryopen', 'write_input', 'sockets', 'realtime', 'spin', 'flood', 'args_env'];
// Set before the pool starts its workers, so a leak through the workers' environment would show.
process.env.WPM_HOST_SECRET = 'leaked';
const pool = new WasiPool({ size: 2 });
const modules = new Map<string, WebAssembly.Module>();
const components = new Map<string, ComponentRunnable>();
const EVIL = '/wpm/store/1111111111111111111111111111111z-evil';
let secretFile: string;
let evilHost: string;

beforeAll(async () => {
  for (const p of PROGRAMS) {
    const file = await buildFixture(pool, p);
    modules.set(p, loadModule(file));
    components.set(p, await loadComponent(await componentOf(file)));
  }
  const secretDir = tempDir('secret');
  secretFile = path.join(secretDir, 'secret.txt');
  fs.writeFileSync(secretFile, 'TOP SECRET host data\n');
  evilHost = path.join(tempDir('inputs'), 'evil');
  fs.mkdirSync(path.join(evilHost, 'subdir'), { recursive: true });
  fs.writeFileSync(path.join(evilHost, 'data.txt'), 'input data\n');
  fs.symlinkSync('/etc/passwd', path.join(evilHost, 'abs-passwd'));
  fs.symlinkSync('../../../../../../../../etc/passwd', path.join(evilHost, 'rel-escape'));
  fs.symlinkSync(secretFile, path.join(evilHost, 'host-secret'));
  fs.symlinkSync(secretDir, path.join(evilHost, 'host-dir'));
}, 600_000);
afterAll(() => pool.close());

async function run(kind: 'module' | 'component', name: string, opts: Partial<WasiRunOptions> = {}) {
  const sb = sandbox(name);
  try {
    const mounts: Mount[] = [...sb.mounts, { guest: EVIL, host: evilHost, writable: false }];
    const r = kind === 'module' ? modules.get(name)! : components.get(name)!;
    return await runCaptured(pool, r as WebAssembly.Module, { args: [name], env: {}, ...opts, mounts });
  } finally {
    fs.rmSync(sb.root, { recursive: true, force: true });
  }
}

/** WASI 0.2 has no ENOTCAPABLE: leaving the sandbox is `not-permitted`, EPERM through the adapter. */
const asComponentSees = (s: string): string => s.replaceAll('ENOTCAPABLE', 'EPERM');

describe('hostile components are denied like modules', () => {
  const CASES: [string, string[]][] = [
    ['tryopen', ['/etc/passwd', '../../etc/passwd', '/build/../../etc/passwd', '/wpm/store/../../etc/passwd', `${EVIL}/../../../etc/passwd`, '/proc/self/environ', '/dev/null']],
    ['tryopen', [`${EVIL}/abs-passwd`, `${EVIL}/rel-escape`, `${EVIL}/host-secret`, `${EVIL}/host-dir/secret.txt`, `${EVIL}/data.txt`]],
    ['tryopen', ['ln:/etc:/build/etc', '/build/etc/passwd', '/tmp/../../x', 'ls:/wpm/store', 'ls:/']],
    ['write_input', [EVIL, `${EVIL}/data.txt`]],
  ];
  for (const [name, args] of CASES) {
    it(`${name} ${args[0]}…: the same denials`, async () => {
      const m = await run('module', name, { args: [name, ...args] });
      const c = await run('component', name, { args: [name, ...args] });
      expect(m.stdout).not.toContain('SECRET');
      expect(c.stdout).not.toContain('SECRET');
      expect(c.stdout).toBe(asComponentSees(m.stdout));
      expect(c.exitCode).toBe(m.exitCode);
    });
  }

  it('sees none of the host environment', async () => {
    expect(process.env.WPM_HOST_SECRET).toBe('leaked');
    expect((await run('component', 'args_env', { env: { ONLY: 'this' } })).stdout).toBe('argc=1\nargv[0]=args_env\nenv ONLY=this\nHOME=(unset)\n');
  });

  it('stops an endless loop at the time limit, and the pool goes on', async () => {
    const err = await run('component', 'spin', { limits: { timeoutMs: 1500 } }).catch((e: unknown) => e);
    expect(isWpmError(err, 'ERR_WASI_TIMEOUT')).toBe(true);
    expect((await run('component', 'args_env')).exitCode).toBe(0);
  });

  it('fails unbounded writing at the output limit', async () => {
    const err = await run('component', 'flood', { limits: { outputBytes: 1 << 20 } }).catch((e: unknown) => e);
    expect(isWpmError(err, 'ERR_WASI_OUTPUT_LIMIT')).toBe(true);
  });

  it('cannot learn the real time from clocks or file timestamps', async () => {
    const m = (await run('module', 'realtime', { args: ['realtime', `${EVIL}/data.txt`] })).stdout.split('\n');
    const c = (await run('component', 'realtime', { args: ['realtime', `${EVIL}/data.txt`] })).stdout.split('\n');
    expect(c.slice(0, 3)).toEqual(['time 1', 'gettimeofday 1.000000', 'clock 0: 0 1.000000000']);
    // Lines 3-5 are the monotonic and CPU-time clocks, virtual either way (WASI 0.2 has no CPU clocks).
    for (const l of c.slice(3, 6)) expect(l).toMatch(/^clock \d: \d+ 0\.0000\d+$/);
    expect(c.slice(6)).toEqual(m.slice(6));
  });

  it('has no sockets: the preview1 adapter traps on a socket call, and the step fails', async () => {
    const err = await run('component', 'sockets').catch((e: unknown) => e);
    expect(isWpmError(err, 'ERR_WASI_TRAP')).toBe(true);
  });
});

describe('imports wpm does not provide', () => {
  it('a component importing wasi:sockets fails with a message naming the import', async () => {
    // Uses one function of wasi:sockets, so the import is live (jco drops unused ones).
    const wat = `(component
      (import "wasi:sockets/instance-network@0.2.0" (instance $n (export "instance-network" (func (result u32)))))
      (core func $f (canon lower (func $n "instance-network")))
      (core module $m (import "x" "f" (func (result i32))))
      (core instance (instantiate $m (with "x" (instance (export "f" (func $f)))))))`;
    const file = path.join(CACHE, 'component', 'imports-sockets.wasm');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, await parse(wat));
    const err = await loadComponent(file).catch((e: unknown) => e);
    expect(isWpmError(err, 'ERR_WASI_COMPONENT_IMPORT')).toBe(true);
    expect((err as Error).message).toContain('wasi:sockets/instance-network');
      });
});
