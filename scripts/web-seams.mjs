// What the browser bundles (scripts/bundle-web-app.mjs, scripts/bundle-web-worker.mjs) share:
// the browsers they target and store/format's SHA-256 seam, digest.ts (node:crypto) swapped for
// digest-web.ts (plain code), so a page and a step worker hash as the CLI does.
import path from 'node:path';

// Debian's chromium and firefox-esr (128 and later); Ed25519 in WebCrypto and OPFS's
// createWritable need browsers at least this new anyway.
export const BROWSER_TARGET = ['chrome120', 'firefox128'];

/** Registers, on an esbuild plugin's build, the swap of store/format's digest.js for digest-web.ts. */
export function swapDigest(b) {
  b.onResolve({ filter: /\/digest\.js$/ }, (args) =>
    args.importer.endsWith(path.join('store', 'format', 'hash.ts')) || args.importer.endsWith(path.join('store', 'format', 'store-path.ts'))
      ? { path: path.join(path.dirname(args.importer), 'digest-web.ts') }
      : undefined);
}
