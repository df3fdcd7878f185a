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

describe('a WASI step run in memory', () => {
  it('gives every WASI step of packages/hello the CLI\'s outputs, NAR hash for NAR hash', async () => {
    const nars = new Map<string, Uint8Array>();
    const modules = new Map<string, WebAssembly.Module>();
    const checked: string[] = [];
    for (const [drvPath, drv] of closureOf(target)) {
      if (drv.builder.startsWith('builtin:')) continue;
      const inputs = new Map<string, Uint8Array>();
      for (const p of inputClosure(drv)) {
        if (!nars.has(p)) nars.set(p, await nar(p));
        inputs.set(p, nars.get(p)!);
      }
      let builder = modules.get(drv.builder);
      if (builder === undefined) {
        builder = await WebAssembly.compile(fs.readFileSync(store.toHost(drv.builder)));
        modules.set(drv.builder, builder);
      }
      const r = await runStepInMemory({ drvPath, drv, builder, inputs });
      expect(r.exitCode, new TextDecoder().decode(r.log)).toBe(0);
      for (const [name, o] of Object.entries(drv.outputs)) {
        const cli = store.queryPathInfo(o.path);
        expect(cli, `${o.path} was built by the CLI`).toBeDefined();
        expect(formatHash(hashBytes('sha256', r.outputs[name]!)), `${drv.name}.${name}`).toBe(cli!.narHash);
        checked.push(`${parseStorePath(o.path).name}`);
      }
    }
    // hello's own compile and link at least, whatever else the toolchain's closure builds.
    expect(checked.length).toBeGreaterThanOrEqual(2);
    console.log(`in-memory outputs equal to the CLI's: ${checked.join(', ')}`);
  });
});
