// A builder's bytes as something the pool can run: a core module, or a WASI 0.2 component
// transpiled by jco. The transpile output is itself a store path (a source path whose name
// carries the component's sha256), so it happens once per store; $WPM_HOME/cache/components
// remembers which store path belongs to which component hash (deletable at any time).

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LocalStore } from '../../store/index.js';
import { WpmError } from '../../util/index.js';
import {
  checkImports, COMPONENT_ENTRY, loadModule, COMPONENT_META, isComponent, transpileComponent,
  type ComponentMeta, type ComponentRunnable,
} from '../wasi/index.js';

export type Runnable = WebAssembly.Module | ComponentRunnable;

const loaded = new Map<string, ComponentRunnable>();

/** The store path holding the transpiled component, transpiling and adding it if needed. */
export async function transpiledPath(store: LocalStore, bytes: Uint8Array, opts: { onTranspile?: () => void; sha?: string } = {}): Promise<string> {
  const sha = opts.sha ?? crypto.createHash('sha256').update(bytes).digest('hex');
  const memo = path.join(store.layout.cache, 'components', sha);
  const known = fs.existsSync(memo) ? fs.readFileSync(memo, 'utf8').trim() : '';
  if (known !== '' && store.isValid(known)) return known;
  opts.onTranspile?.();
  const files = await transpileComponent(bytes);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-jco-'));
  try {
    for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(tmp, name), data);
    const storePath = await store.addPath(tmp, { name: `jco-${sha.slice(0, 32)}-component` });
    fs.mkdirSync(path.dirname(memo), { recursive: true });
    fs.writeFileSync(memo + '.tmp-' + process.pid, storePath + '\n');
    fs.renameSync(memo + '.tmp-' + process.pid, memo);
    return storePath;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Load a transpiled component's directory: check its imports, compile its core modules. */
export async function loadTranspiled(dir: string, what: string): Promise<ComponentRunnable> {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, COMPONENT_META), 'utf8')) as ComponentMeta;
  checkImports(meta.imports, what);
  const cores: Record<string, WebAssembly.Module> = {};
  for (const name of meta.cores) cores[name] = await loadModule(fs.readFileSync(path.join(dir, name)));
  return { kind: 'component', entry: path.join(dir, COMPONENT_ENTRY), cores };
}

/** Bytes of a builder (a module or a component) as a pool runnable; components are cached. */
export async function runnableFor(store: LocalStore, bytes: Uint8Array, what: string): Promise<Runnable> {
  if (!isComponent(bytes)) {
    try {
      return await loadModule(bytes);
    } catch (cause) {
      // V8 says what is wrong in its own terms ("expected 4 bytes, fell off end @+0").
      throw new WpmError('ERR_WASI_INVALID_MODULE', `${what} is not a valid WebAssembly module or component: ${(cause as Error).message}`, { cause });
    }
  }
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  let c = loaded.get(sha);
  if (c === undefined) {
    const p = await transpiledPath(store, bytes, { sha });
    c = await loadTranspiled(store.toHost(p), what);
    loaded.set(sha, c);
  }
  return c;
}

/** Read a builder's file (its host path); a clear error, naming the builder, if it cannot be read. */
export function readBuilder(file: string, builder: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (cause) {
    throw new WpmError('ERR_BUILD_BUILDER', `builder ${builder} cannot be read`, { cause });
  }
}
