// Bundles the CLI (dist/cli/main.js and every module it reaches, one chunk per lazily loaded verb)
// into dist/bundle/, after tsc. A no-op build spent most of its time loading about a hundred ES
// modules one by one; a handful of chunks load several times faster. Worker scripts stay
// unbundled in dist/ and are found through util/dist-dir.ts, which sits at the bundle's depth.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: without a clean directory every build would leave the last
// one's chunks behind.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: ['dist/cli/main.js'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Dependencies stay in node_modules: node-jsonnet is a native addon, jco is large and loaded
  // only for components.
  packages: 'external',
  logLevel: 'warning',
});
