// Transpiling a component with jco into JavaScript glue plus core modules. The glue is
// generated in 'sync' instantiation mode, so it takes wpm's own import object (no
// preview2-shim) and a getCoreModule callback. jco is loaded only when a component is
// first seen, and its output is meant to be cached (the scheduler keeps it in the store).

import { WpmError } from '../../../util/errors.js';
import { missingImports } from './imports.js';

/** File name of the glue in a transpiled component's directory (.mjs: ESM wherever it lies). */
export const COMPONENT_ENTRY = 'component.mjs';
export const COMPONENT_META = 'component.json';

export interface ComponentMeta {
  imports: string[];
  exports: string[];
  /** Core module file names in the directory, in the order jco numbers them. */
  cores: string[];
}

/** Fail when the component imports an interface wpm does not provide, naming it. */
export function checkImports(imports: string[], what: string): void {
  const missing = missingImports(imports);
  if (missing.length > 0) {
    throw new WpmError('ERR_WASI_COMPONENT_IMPORT', `${what} imports ${missing.join(', ')}, which wpm does not provide to a build step`, {
      hint: 'a build step gets only wasi:cli, wasi:filesystem, wasi:io, wasi:clocks and wasi:random',
    });
  }
}

/** Transpile: returns the files of the directory to cache (glue, core modules, metadata). */
export async function transpileComponent(bytes: Uint8Array): Promise<Record<string, Uint8Array>> {
  const jco = await import('@bytecodealliance/jco');
  const r = await jco.transpile(bytes, { name: 'component', instantiation: 'sync', noTypescript: true, quiet: true, base64Cutoff: 0 });
  const files: Record<string, Uint8Array> = {};
  const cores: string[] = [];
  for (const [name, data] of Object.entries(r.files)) {
    if (name === 'component.js') files[COMPONENT_ENTRY] = data;
    else if (name.endsWith('.wasm')) {
      files[name] = data;
      cores.push(name);
    }
  }
  const meta: ComponentMeta = { imports: r.imports, exports: r.exports.map(([n]) => n), cores: cores.sort() };
  files[COMPONENT_META] = new TextEncoder().encode(JSON.stringify(meta, null, 1) + '\n');
  return files;
}
