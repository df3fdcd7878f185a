// The same steps, without a disk: packages/hello is built by the CLI, then every WASI step of its
// closure runs again through runStepInMemory (the host over an in-memory file system, as a
// browser worker runs it), fed only its input closure's NARs. Each output's NAR must hash to
// exactly what the CLI registered.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Derivation } from '../../derivations/index.js';
import { runStepInMemory } from '../../runtime/builders/in-memory/index.js';
import { readDerivation } from '../../runtime/scheduler/index.js';
import { LocalStore, dumpPath, formatHash, hashBytes, parseStorePath } from '../../store/index.js';
import { REPO, wpmP } from '../helpers/cli.js';
import { seededHome } from '../helpers/seed.js';

const HELLO = path.join(REPO, 'packages/hello/default.jsonnet');
const home = seededHome('web-hello');
let store: LocalStore;
let target: string;

async function nar(storePath: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  await dumpPath(store.toHost(storePath), (c) => void chunks.push(Uint8Array.from(c)));
  return Buffer.concat(chunks);
}

/** Every derivation of the closure, inputs first. */
function closureOf(drvPath: string, seen = new Map<string, Derivation>()): Map<string, Derivation> {
  if (seen.has(drvPath)) return seen;
  const drv = readDerivation(store, drvPath);
  for (const input of Object.keys(drv.inputDrvs)) closureOf(input, seen);
  seen.set(drvPath, drv);
  return seen;
}

function inputClosure(drv: Derivation): string[] {
  const roots = [...drv.inputSrcs];
  for (const [inputDrv, outs] of Object.entries(drv.inputDrvs)) {
    const input = readDerivation(store, inputDrv);
    for (const o of outs) roots.push(input.outputs[o]!.path);
  }
  return store.closure(roots);
}

beforeAll(async () => {
  const built = await wpmP(['build', '--no-link', '--json', HELLO], { home });
  expect(built.status, built.stderr).toBe(0);
  target = (JSON.parse(built.stdout) as Array<{ drvPath: string }>)[0]!.drvPath;
  store = LocalStore.open(home);
});

interface Step {
  drvPath: string;
  drv: Derivation;
  inputs: Map<string, Uint8Array>;
}

/** Every WASI step of the closure with its input closure's NARs (each NAR dumped once). */
async function wasiSteps(): Promise<Step[]> {
  const nars = new Map<string, Uint8Array>();
  const steps: Step[] = [];
  for (const [drvPath, drv] of closureOf(target)) {
    if (drv.builder.startsWith('builtin:')) continue;
    const inputs = new Map<string, Uint8Array>();
    for (const p of inputClosure(drv)) {
      if (!nars.has(p)) nars.set(p, await nar(p));
      inputs.set(p, nars.get(p)!);
    }
    steps.push({ drvPath, drv, inputs });
  }
  return steps;
}

function cliNarHash(drv: Derivation, name: string): string {
  const info = store.queryPathInfo(drv.outputs[name]!.path);
  expect(info, `${drv.outputs[name]!.path} was built by the CLI`).toBeDefined();
  return info!.narHash;
}

describe('a WASI step run in memory', () => {
  it('gives every WASI step of packages/hello the CLI\'s outputs, NAR hash for NAR hash', async () => {
    const modules = new Map<string, WebAssembly.Module>();
    const checked: string[] = [];
    for (const { drvPath, drv, inputs } of await wasiSteps()) {
      let builder = modules.get(drv.builder);
      if (builder === undefined) {
        builder = await WebAssembly.compile(fs.readFileSync(store.toHost(drv.builder)));
        modules.set(drv.builder, builder);
      }
      const r = await runStepInMemory({ drvPath, drv, builder, inputs });
      expect(r.exitCode, new TextDecoder().decode(r.log)).toBe(0);
      for (const [name, o] of Object.entries(drv.outputs)) {
        expect(formatHash(hashBytes('sha256', r.outputs[name]!)), `${drv.name}.${name}`).toBe(cliNarHash(drv, name));
        checked.push(parseStorePath(o.path).name);
      }
    }
    // hello's own compile and link at least, whatever else the toolchain's closure builds.
    expect(checked.length).toBeGreaterThanOrEqual(2);
    console.log(`in-memory outputs equal to the CLI's: ${checked.join(', ')}`);
  });

  it('gives the same NAR hashes through the browser bundle (dist/web/step-worker.bundle.js) driven as a worker', async () => {
    // The bundle as a browser runs it: its own SHA-256 and Buffer, no Node module; here its
    // worker scope is this thread's global object.
    const replies: { id: number; exitCode?: number; outputs?: Record<string, { narHash: string }>; error?: unknown; log?: Uint8Array }[] = [];
    const scope = globalThis as unknown as { onmessage: ((ev: { data: unknown }) => void) | null; postMessage: (msg: never) => void };
    const waiting = new Map<number, () => void>();
    scope.postMessage = (msg: never) => {
      replies.push(msg);
      waiting.get((msg as { id: number }).id)?.();
    };
    await import(path.join(REPO, 'dist/web/step-worker.bundle.js'));
    const sent = new Set<string>();
    const steps = await wasiSteps();
    for (const [i, { drvPath, drv, inputs }] of steps.entries()) {
      const done = new Promise<void>((resolve) => waiting.set(i, resolve));
      const builder = sent.has(drv.builder) ? undefined : new Uint8Array(fs.readFileSync(store.toHost(drv.builder)));
      sent.add(drv.builder);
      scope.onmessage!({ data: { id: i, drvPath, drv: JSON.parse(JSON.stringify(drv)), ...(builder ? { builder } : {}), inputs: [...inputs] } });
      await done;
      const r = replies.find((x) => x.id === i)!;
      expect(r.error, JSON.stringify(r.error)).toBeUndefined();
      expect(r.exitCode, new TextDecoder().decode(r.log)).toBe(0);
      for (const name of Object.keys(drv.outputs)) expect(r.outputs![name]!.narHash, `${drv.name}.${name}`).toBe(cliNarHash(drv, name));
    }
    expect(replies.length).toBe(steps.length);
  });
});
