// The map of the code (docs/design.md, "Layout"), checked: which folder may import which, how
// large a file may grow, and that the store is used through its index.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/cli.js';

/** Each folder, and the folders its files may import (besides their own and util/). */
const MAY_IMPORT: Record<string, string[]> = {
  'store/format': [],
  store: ['store/format'],
  derivations: ['store/format'],
  'runtime/wasi': [],
  // The Remote Execution API: client, bot, and the step runner (which runs the WASI host on a worker).
  remote: ['runtime/wasi'],
  'runtime/builders': ['store', 'store/format', 'derivations', 'runtime/wasi', 'remote'],
  'runtime/scheduler': ['store', 'store/format', 'derivations', 'runtime/wasi', 'runtime/builders'],
  glue: ['store', 'store/format', 'derivations', 'runtime/wasi', 'runtime/builders', 'runtime/scheduler'],
  profiles: ['store', 'store/format', 'derivations', 'runtime/builders', 'runtime/scheduler', 'glue'],
  cli: ['store', 'store/format', 'derivations', 'runtime/wasi', 'runtime/builders', 'runtime/scheduler', 'glue', 'profiles'],
  // The browser's side: the page, the browser's store and the step worker (scripts/bundle-web-*.mjs):
  // the pure formats, store modules safe in a browser (BROWSER_SAFE), derivations and the host.
  web: ['store', 'store/format', 'derivations', 'runtime/wasi', 'runtime/builders'],
  util: [],
};
const LAYERS = Object.keys(MAY_IMPORT).sort((a, b) => b.length - a.length);

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(REPO, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The layer a file belongs to: the longest folder of the map it is in. */
function layerOf(file: string): string {
  return LAYERS.find((l) => file === l || file.startsWith(l + '/'))!;
}

const FILES = ['store', 'derivations', 'runtime', 'remote', 'glue', 'profiles', 'cli', 'util', 'web'].flatMap(sources);
/** What web/ takes from store/ besides store/format: modules that import only the formats (store/index.ts would bring the disk). */
const BROWSER_SAFE = ['store/binary-cache/trust.js', 'store/binary-cache/cache-info.js'];
const IMPORT = /(?:^|\n)\s*(?:import|export)[^'"]*?from\s*'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g;

function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(REPO, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => path.posix.normalize(path.posix.join(path.posix.dirname(file), (m[1] ?? m[2])!)));
}

describe('the map of the code', () => {
  it('has every file in a folder of the map', () => {
    expect(FILES.filter((f) => layerOf(f) === undefined)).toEqual([]);
  });

  it('imports only downwards: each folder only what the map allows', () => {
    const wrong: string[] = [];
    for (const file of FILES) {
      const from = layerOf(file);
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (to === undefined || to === from || to === 'util' || MAY_IMPORT[from]!.includes(to)) continue;
        wrong.push(`${file} imports ${target} (${from} may not import ${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps files in store/, runtime/, remote/, glue/ and profiles/ under 300 lines', () => {
    const long = FILES.filter((f) => /^(store|runtime|remote|glue|profiles)\//.test(f))
      .map((f) => [f, fs.readFileSync(path.join(REPO, f), 'utf8').split('\n').length - 1] as const)
      .filter(([, n]) => n > 300);
    expect(long).toEqual([]);
  });

  it('has nothing import web/: the browser side is the top of the map', () => {
    const up = FILES.filter((f) => layerOf(f) !== 'web').flatMap((f) => importsOf(f).filter((t) => layerOf(t) === 'web').map((t) => `${f} imports ${t}`));
    expect(up).toEqual([]);
  });

  it("keeps the tab's build loop (web/loop) clear of Node's modules, but for store/format's hashing seam", () => {
    // Followed through every folder, as a bundler would; type-only imports are erased.
    const runtimeImport = /(?:^|\n)\s*(?:import|export)(?!\s+type\b)[^'"]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g;
    // TODO: only store/format/digest.ts once the portable SHA-256 seam (issue 25, part A) lands.
    const SEAM = ['store/format/hash.ts', 'store/format/store-path.ts', 'store/format/digest.ts'];
    const seen = new Set<string>();
    const outside: string[] = [];
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const m of fs.readFileSync(path.join(REPO, file), 'utf8').matchAll(runtimeImport)) {
        const spec = (m[1] ?? m[2])!;
        if (spec.startsWith('.')) walk(path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts'));
        else if (!(spec === 'node:crypto' && SEAM.includes(file))) outside.push(`${file} imports ${spec}`);
      }
    };
    walk('web/loop/index.ts');
    expect(seen.size).toBeGreaterThan(5);
    expect(outside).toEqual([]);
  });

  it('reaches the local store from outside store/ only through store/index.ts', () => {
    const direct = FILES.filter((f) => !f.startsWith('store/')).flatMap((f) =>
      importsOf(f)
        .filter((t) => t.startsWith('store/') && !t.startsWith('store/format/') && t !== 'store/index.js' && t !== 'store/binary-cache/index.js')
        .filter((t) => !(f.startsWith('web/') && BROWSER_SAFE.includes(t)))
        .map((t) => `${f} imports ${t}`),
    );
    expect(direct).toEqual([]);
  });

  it('keeps the browser-safe store modules free of the disk: they import only the formats and util/errors', () => {
    const wrong = BROWSER_SAFE.map((m) => m.replace(/\.js$/, '.ts')).flatMap((f) =>
      importsOf(f)
        .filter((t) => !t.startsWith('store/format/') && t !== 'util/errors.js' && !(t === 'store/binary-cache/cache.js' && /import type[^;]*cache\.js/.test(fs.readFileSync(path.join(REPO, f), 'utf8'))))
        .map((t) => `${f} imports ${t}`),
    );
    expect(wrong).toEqual([]);
  });
});
