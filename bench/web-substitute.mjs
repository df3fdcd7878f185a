#!/usr/bin/env node
// Substitution into a browser tab against the CLI, from one `wpm serve --ui` on loopback holding
// a generated, signed closure: the web app in headless Chromium and Firefox ESR (narinfos,
// Ed25519 through WebCrypto, each NAR downloaded whole, hashed with WebCrypto, parsed and written
// to OPFS) against `wpm copy --from` (streamed, hashed, unpacked, flushed and registered), as
// MB/s and a ratio to the CLI. Each browser is launched once, untimed; each run substitutes into
// a fresh OPFS store, timed from the click to the page's "done". Needs `npm run build` and
// Debian's chromium and firefox-esr.
//
//   node bench/web-substitute.mjs [--mb 200] [--paths 20] [--runs 2]

import { readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MB, WPM, makeClosure, scratch, timed } from './lib/closure.mjs';
import { launchBrowser, startWpmServe } from './lib/web.mjs';

const { values: opts } = parseArgs({
  options: { mb: { type: 'string', default: '200' }, paths: { type: 'string', default: '20' }, runs: { type: 'string', default: '2' } },
});

const work = scratch('wpm-bench-web-');
const homeA = join(work, 'a');
const { root, pub, infos, bytes } = await makeClosure(work, homeA, { mb: Number(opts.mb), paths: Number(opts.paths) });

const server = await startWpmServe(homeA, ['--ui']);
const url = server.url;

async function tab(name) {
  const browser = await launchBrowser(work, name);
  let n = 0;
  return {
    label: `${name} tab`,
    async run() {
      const q = new URLSearchParams({ key: pub, path: root, store: `run-${n++}` });
      const page = await browser.newPage();
      await page.goto(`${url}/ui/?${q}`);
      await page.waitForSelector('#status[data-ready="true"]');
      const t = performance.now();
      await page.click('#go');
      await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]', { timeout: 600_000 });
      const wall = (performance.now() - t) / 1000;
      const status = await page.$eval('#status', (s) => s.textContent);
      if (!status.startsWith(`${infos.length} paths valid`)) throw new Error(`${name}: ${status}`);
      await page.close();
      return { wall };
    },
    close: () => browser.close(),
  };
}

let b = 0;
const cli = {
  label: 'wpm copy --from (CLI)',
  run: async () => timed(process.execPath, [WPM, 'copy', '--from', url, '--trusted-public-keys', pub, root], { env: { ...process.env, WPM_HOME: join(work, `b-${b++}`) } }),
  close: async () => {},
};

const contenders = [cli, await tab('chromium'), await tab('firefox')];
const best = contenders.map(() => Infinity);
try {
  for (const c of contenders) await c.run(); // warm up
  for (let r = 0; r < Number(opts.runs); r++) {
    for (const [i, c] of contenders.entries()) best[i] = Math.min(best[i], (await c.run()).wall);
  }
} finally {
  for (const c of contenders) await c.close();
  server.stop();
}

console.log(`substituting ${infos.length} paths, ${(bytes / MB).toFixed(0)} MB of NAR from wpm serve on loopback, best of ${opts.runs}:`);
contenders.forEach((c, i) =>
  console.log(`  ${c.label.padEnd(24)} ${best[i].toFixed(2)} s  ${(bytes / MB / best[i]).toFixed(0).padStart(5)} MB/s  ${(best[i] / best[0]).toFixed(2)}× the CLI's time`),
);
console.log(`  load: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores; ${readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0]}`);
rmSync(work, { recursive: true, force: true });
