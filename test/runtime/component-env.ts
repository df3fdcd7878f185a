// Test-time components: a fixture module wrapped with jco's preview1 command adapter
// (componentNew, i.e. wasm-tools compiled to wasm, run under Node at test time only), and
// the transpiled glue cached by the component's sha256, so a warm suite transpiles nothing.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { componentNew, preview1AdapterCommandPath } from '@bytecodealliance/jco';
import { loadTranspiled } from '../../runtime/builders/index.js';
import { transpileComponent, type ComponentRunnable } from '../../runtime/wasi/index.js';
import { CACHE } from './wasi-env.js';

const sha = (b: Uint8Array): string => crypto.createHash('sha256').update(b).digest('hex');

/** The component made of a command module and the preview1 command adapter (cached by input hash). */
export async function componentOf(modulePath: string): Promise<string> {
  const mod = fs.readFileSync(modulePath);
  const adapter = fs.readFileSync(preview1AdapterCommandPath());
  const out = path.join(CACHE, 'component', `${path.basename(modulePath, '.wasm')}-${sha(Buffer.concat([mod, adapter])).slice(0, 16)}.wasm`);
  if (fs.existsSync(out)) return out;
  const bytes = await componentNew(mod, [['wasi_snapshot_preview1', adapter]]);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out + '.tmp' + process.pid, bytes);
  fs.renameSync(out + '.tmp' + process.pid, out);
  return out;
}

/** Transpile (cached by the component's sha256) and load for the pool. */
export async function loadComponent(componentPath: string): Promise<ComponentRunnable> {
  const bytes = fs.readFileSync(componentPath);
  const dir = path.join(CACHE, 'transpiled', sha(bytes));
  if (!fs.existsSync(dir)) {
    const files = await transpileComponent(bytes);
    const tmp = dir + '.tmp' + process.pid;
    fs.mkdirSync(tmp, { recursive: true });
    for (const [n, d] of Object.entries(files)) fs.writeFileSync(path.join(tmp, n), d);
    try {
      fs.renameSync(tmp, dir);
    } catch {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return loadTranspiled(dir, componentPath);
}
