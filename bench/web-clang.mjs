#!/usr/bin/env node
// clang.wasm compiling the same real file, sqlite's shell.c at -O2 (bench/fixtures/
// compiles-shell.jsonnet: about 34,000 lines once its headers are in), as one build step four
// ways in one run: by the CLI (`wpm build`, the step's time from its 'built' event); by
// runStepInMemory in Node (the browser worker's code, on V8 with its default tiering, in the main
// thread); and by the web app in a Chromium tab and a Firefox ESR tab (the page's build of the
// same kind of step on its step workers, from a `wpm serve --ui` of the same home). Each contender
// first builds one step untimed (the tab fetches the toolchain into its store and compiles clang
// in its worker, the CLI warms its code cache), then a step differing only by a define (so nothing
// is reused but the compiled builder): that one is timed. Printed as ratios to the CLI.
// Needs `npm run build`, Debian's chromium and firefox-esr, and the npm registry (sqlite's sources).
//
//   node bench/web-clang.mjs [--home DIR]   (default: a fresh home, removed at the end)

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchBrowser, startWpmServe } from './lib/web.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WPM = path.join(ROOT, 'bin/wpm.js');
const FILE = path.join(ROOT, 'bench/fixtures/compiles-shell.jsonnet');
const { values: opts } = parseArgs({ options: { home: { type: 'string' } } });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-web-clang-'));
const home = opts.home ?? path.join(work, 'home');

function wpm(args) {
  const r = spawnSync(process.execPath, [WPM, ...args], { env: { ...process.env, WPM_HOME: home }, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`wpm ${args.join(' ')} failed:\n${r.stderr.slice(-3000)}`);
  return r;
}
// A fresh salt per run, so a home given with --home never has the timed steps built already.
const run = `r${Date.now().toString(36)}`;
const attrs = (salt) => ['-A', 'c0', '--argstr', `salt=${run}-${salt}`, '--argstr', 'opt=-O2', FILE];

/** The CLI's compile step: its time from `wpm build --json`'s 'built' event, and the whole command's. */
function cliStep(salt) {
  const t = performance.now();
  const r = wpm(['build', '--no-link', '--json', ...attrs(salt)]);
  const wall = performance.now() - t;
  const built = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((e) => e.type === 'built' && /^shell-/.test(e.name));
  if (built.length !== 1) throw new Error(`expected one compile step built for salt ${salt}, got ${built.length}`);
  return { ms: built[0].durationMs, wall };
}
const drvOf = (salt) => JSON.parse(wpm(['build', '--dry-run', '--json', ...attrs(salt)]).stdout).targets[0].drvPath;

console.error('building the toolchain and sqlite’s sources, and the CLI’s untimed step…');
cliStep('warm');
const cli = cliStep('cli');

/** The step run by runStepInMemory in this process, from its input closure's NARs. */
async function nodeStep(salt) {
  const { LocalStore, dumpPath } = await import(path.join(ROOT, 'dist/store/index.js'));
  const { readDerivation } = await import(path.join(ROOT, 'dist/runtime/scheduler/index.js'));
  const { runStepInMemory } = await import(path.join(ROOT, 'dist/runtime/builders/in-memory/index.js'));
  const store = LocalStore.open(home);
  const drvPath = drvOf(salt);
  const drv = readDerivation(store, drvPath);
  const roots = [...drv.inputSrcs, ...Object.entries(drv.inputDrvs).flatMap(([d, outs]) => outs.map((o) => readDerivation(store, d).outputs[o].path))];
  const inputs = new Map();
  for (const p of store.closure(roots)) {
    const chunks = [];
    await dumpPath(store.toHost(p), (c) => void chunks.push(Uint8Array.from(c)));
    inputs.set(p, Buffer.concat(chunks));
  }
  const builder = await WebAssembly.compile(fs.readFileSync(store.toHost(drv.builder)));
  const t = performance.now();
  const r = await runStepInMemory({ drvPath, drv, builder, inputs });
  if (r.exitCode !== 0) throw new Error(`runStepInMemory: exit ${r.exitCode}\n${Buffer.from(r.log).toString()}`);
  return { ms: performance.now() - t, hostMs: r.durationMs };
}
console.error('runStepInMemory in Node…');
await nodeStep('node-1');
const node = await nodeStep('node-2');

// The page's cache is the same home, signed; the tab gets the .drv closures of its steps.
const keys = path.join(work, 'keys');
const pub = wpm(['key', 'generate', 'bench-web-clang', '--dir', keys]).stdout.trim();
const targets = Object.fromEntries(['chromium', 'firefox'].flatMap((b) => [1, 2].map((i) => [`${b}-${i}`, drvOf(`${b}-${i}`)])));
wpm(['store', 'sign', '--closure', '--key', path.join(keys, 'bench-web-clang.sec'), ...Object.values(targets)]);
const toolchain = JSON.parse(wpm(['show-derivation', '-r', ...attrs('warm')]).stdout);
const toolOuts = Object.values(toolchain).filter((d) => d.builder.startsWith('builtin:')).flatMap((d) => Object.values(d.outputs).map((o) => o.path))
  .filter((p) => fs.existsSync(path.join(home, 'db', `${p.slice(11, 43)}.json`)));
wpm(['store', 'sign', '--closure', '--key', path.join(keys, 'bench-web-clang.sec'), ...toolOuts]);

const server = await startWpmServe(home, ['--ui']);
const url = server.url;

async function tab(name) {
  const browser = await launchBrowser(work, name);
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/ui/?${new URLSearchParams({ key: pub, store: 'bench' })}`);
    await page.waitForSelector('#status[data-ready="true"]');
    const build = async (target) => {
      await page.$eval('#target', (i, v) => (i.value = v), target);
      await page.$eval('#build', (b) => b.click());
      await page.waitForSelector('#build-status[data-state="done"], #build-status[data-state="error"]', { timeout: 1_800_000, polling: 250 });
      const status = await page.$eval('#build-status', (s) => ({ state: s.dataset.state, text: s.textContent }));
      if (status.state !== 'done') throw new Error(`${name}: ${status.text}`);
      const rows = await page.$$eval('#steps tr', (trs) => trs.map((tr) => ({ name: tr.dataset.name, ms: Number(tr.dataset.ms), hostMs: Number(tr.dataset.hostMs) })));
      const step = rows.find((r) => /^shell-/.test(r.name));
      if (!step || rows.length !== 1) throw new Error(`${name}: expected the one compile step, the page ran ${rows.map((r) => r.name).join(', ')}`);
      return step;
    };
    await build(targets[`${name}-1`]);
    return await build(targets[`${name}-2`]);
  } finally {
    await browser.close();
  }
}

let chromium;
let firefox;
try {
  chromium = await tab('chromium');
  firefox = await tab('firefox');
} finally {
  server.stop();
}
const s = (ms) => `${(ms / 1000).toFixed(2)} s`.padStart(8);
console.log('clang.wasm -O2 -c sqlite shell.c, one build step each (the builder already compiled), one run:');
console.log(`  CLI (wpm build)     step ${s(cli.ms)}                      1.00×`);
for (const [label, r] of [['Node, in memory', node], ['Chromium tab', chromium], ['Firefox ESR tab', firefox]]) {
  console.log(`  ${label.padEnd(19)} step ${s(r.ms)} (builder run ${s(r.hostMs)})  ${(r.ms / cli.ms).toFixed(2)}× the CLI's step`);
}
console.log(`  load: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores; ${fs.readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0]}`);
if (!opts.home) fs.rmSync(work, { recursive: true, force: true });
