// Where wpm's compiled modules are. Everything that finds a file of wpm itself (worker scripts,
// packages/lib, its own evaluation code) goes through here, because the CLI runs from a bundle
// (dist/bundle/, see scripts/bundle.mjs) where a module's import.meta.url is the bundle's, not
// its own. This module sits one directory below dist/, as the bundles do, so the answer is the
// same from either. Run untranspiled (vitest), it is the source tree's root,
// which has the same layout with .ts files.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const DIST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A compiled module of wpm by its path under dist/, e.g. 'runtime/wasi/worker.js'. */
export function distFile(relative: string): string {
  return path.join(DIST_DIR, ...relative.split('/'));
}

function distUrl(relative: string): URL {
  return pathToFileURL(distFile(relative));
}

/**
 * A module of wpm by its path under dist/ without extension ('runtime/wasi/worker'): the compiled
 * .js, or the .ts source when the sources run untranspiled (vitest), where it does not exist.
 */
export function distModule(relative: string): { url: URL; compiled: boolean } {
  const js = distUrl(`${relative}.js`);
  if (fs.existsSync(fileURLToPath(js))) return { url: js, compiled: true };
  return { url: distUrl(`${relative}.ts`), compiled: false };
}

const natives = new Map<string, unknown>();

/**
 * One of wpm's native helpers, native/NAME compiled to dist/native/NAME.node by `npm run build`,
 * loaded once; null where it was not built (no C compiler or headers at install), and callers
 * then do without. Run untranspiled (vitest), the sources' root holds their C sources, so the
 * compiled helper is taken from its dist/.
 */
export function loadNative<T>(name: string): T | null {
  if (!natives.has(name)) {
    const built = distFile(`native/${name}.node`);
    const file = fs.existsSync(built) ? built : path.join(DIST_DIR, 'dist', 'native', `${name}.node`);
    try {
      natives.set(name, createRequire(import.meta.url)(file));
    } catch {
      natives.set(name, null);
    }
  }
  return natives.get(name) as T | null;
}
