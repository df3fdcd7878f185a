// A derivation cannot read a host file: store paths it names are parsed strictly at evaluation
// ('..', '.', empty components refused) and again by the builder, which opens them only through
// the step's input closure. Output names that would become '.' or '..' directories are refused,
// and a builtin refuses outputs it cannot make, when the derivation is made.
import fs from 'node:fs';
import path from 'node:path';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import type { Derivation } from '../../derivations/index.js';
import { realise } from '../../runtime/scheduler/index.js';
import { LocalStore, STORE_DIR } from '../../store/index.js';
import { tempDir, wpm } from '../helpers/cli.js';

const SECRET = 'host-only secret bytes\n';
const UP = '../'.repeat(24);

async function hostTar(dir: string): Promise<string> {
  const pack = tar.pack();
  pack.entry({ name: 'secret.txt' }, SECRET);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const file = path.join(dir, 'host-only.tar');
  fs.writeFileSync(file, Buffer.concat(chunks));
  return file;
}

/** Does any file of the home's store hold the secret? */
function storeHoldsSecret(home: string): boolean {
  const walk = (p: string): boolean => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) return fs.readdirSync(p).some((n) => walk(path.join(p, n)));
    return st.isFile() && fs.readFileSync(p, 'utf8').includes('host-only secret');
  };
  return fs.existsSync(path.join(home, 'store')) && walk(path.join(home, 'store'));
}

function evalFails(home: string, dir: string, jsonnet: string): { status: number | null; stderr: string } {
  const file = path.join(dir, 'escape.jsonnet');
  fs.writeFileSync(file, `local wpm = import 'wpm.libsonnet';\n${jsonnet}\n`);
  const r = wpm(['build', '--no-link', file], { home });
  expect(storeHoldsSecret(home)).toBe(false);
  return r;
}

describe('no host file reaches a build', () => {
  it('refuses a builtin:unpack source that climbs out of the store with ..', async () => {
    const dir = tempDir('escape');
    const archive = await hostTar(dir);
    const r = evalFails(tempDir('home'), dir, `wpm.derivation({ name: 'u', builder: 'builtin:unpack', stdin: { src: '${STORE_DIR}/${UP}${archive.slice(1)}' } })`);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("derivation 'u': field 'stdin.src' must be a store path (the archive builtin:unpack unpacks)");
  });

  it('refuses a file of a valid input followed by .. to a host file', async () => {
    const dir = tempDir('escape');
    const archive = await hostTar(dir);
    fs.writeFileSync(path.join(dir, 'input.txt'), 'an input\n');
    const r = evalFails(tempDir('home'), dir, `wpm.derivation({ name: 'u', builder: 'builtin:unpack', stdin: { src: wpm.path(std.thisFile, 'input.txt') + '/${UP}${archive.slice(1)}' } })`);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("field 'stdin.src' must be a store path");
  });

  it('refuses a builder outside the store', async () => {
    const dir = tempDir('escape');
    fs.writeFileSync(path.join(dir, 'evil.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    const r = evalFails(tempDir('home'), dir, `wpm.derivation({ name: 'b', builder: '${STORE_DIR}/${UP}${dir.slice(1)}/evil.wasm' })`);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("derivation 'b': builder '/wpm/store/../");
    expect(r.stderr).toContain('is not a store path');
  });

  it("refuses the output names '.' and '..', and outputs a builtin cannot make", async () => {
    const dir = tempDir('escape');
    const home = tempDir('home');
    for (const name of ['.', '..']) {
      const r = evalFails(home, dir, `wpm.derivation({ name: 'o', builder: wpm.writeText('t.wasm', ''), outputs: ['out', '${name}'] })`);
      expect(r.status).toBe(3);
      expect(r.stderr).toContain(`derivation 'o': field 'outputs' may not name '${name}': an output's name becomes a directory's`);
    }
    const r = evalFails(home, dir, `wpm.derivation({ name: 'u', builder: 'builtin:unpack', stdin: { src: wpm.writeText('a.tar', '') }, outputs: ['lib'] })`);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("derivation 'u': builtin:unpack makes the outputs 'out', not 'lib'");
  });

  it('refuses, when it runs, a builtin whose .drv names a host path (a .drv need not come from the evaluator)', async () => {
    const dir = tempDir('escape');
    const archive = await hostTar(dir);
    const home = tempDir('home');
    const store = LocalStore.open(home, { durable: false });
    const drvPath = `${STORE_DIR}/${'1'.repeat(32)}-u.drv`;
    const out = `${STORE_DIR}/${'2'.repeat(32)}-u`;
    const drv: Derivation = {
      name: 'u',
      builder: 'builtin:unpack',
      args: [],
      env: {},
      stdin: { src: `${STORE_DIR}/${UP}${archive.slice(1)}` },
      inputDrvs: {},
      inputSrcs: [],
      outputs: { out: { path: out } },
    };
    const result = await realise(store, [drvPath], new Map([[drvPath, drv]]), { jobs: 1 });
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]!.error).toMatchObject({ code: 'ERR_BUILD_BAD_INPUT' });
    expect((result.failed[0]!.error as Error).message).toContain(`unpack 'u' (${drvPath}): field 'stdin.src' must be a store path`);
    expect(store.queryPathInfo(out)).toBeUndefined();
    expect(storeHoldsSecret(home)).toBe(false);
  });
});
