// An installed program's start-up: `hello` through its launcher in a profile (a shell script that
// runs `wpm run --launcher`), against `wpm run ./result` of the same program and against a bare
// `node -e 0`, as ratios. Whole-process wall time, medians of interleaved runs.
//   node bench/launcher.mjs [--runs N]
// Run `npm run build` first. The first run builds hello (a minute or two on a fresh home).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WPM } from './lib/wpm-command.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const home = process.env.WPM_BENCH_HOME ?? path.join(os.tmpdir(), 'wpm-bench-launcher');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 15;
fs.mkdirSync(home, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-launcher-cwd-'));

function wpm(args) {
  const r = spawnSync(process.execPath, [WPM, ...args], { cwd: work, env: { ...process.env, WPM_HOME: home }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wpm ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

console.log('preparing: building and installing hello…');
const hello = path.join(root, 'packages/hello/default.jsonnet');
wpm(['build', hello, '-o', path.join(work, 'result')]);
wpm(['install', hello, '--profile', 'bench']);
const bins = [...wpm(['env', '--profile', 'bench']).matchAll(/'([^']*)'/g)].map((m) => m[1]).filter((p) => p.endsWith('/bin'));
const env = { ...process.env, PATH: [...bins, process.env.PATH].join(':') };
delete env.WPM_HOME; // a launcher finds its store through its own path

const variants = {
  launcher: () => spawnSync('hello', ['world'], { cwd: work, env, encoding: 'utf8' }),
  'wpm run': () => spawnSync(WPM, ['run', './result', '--', 'world'], { cwd: work, env: { ...process.env, WPM_HOME: home }, encoding: 'utf8' }),
  'node -e 0': () => spawnSync(process.execPath, ['-e', '0'], { cwd: work, encoding: 'utf8' }),
  // Where NODE_EXTRA_CA_CERTS is set, Node 20 parses it at every start and the #! line spares wpm
  // that (util/trusted-cas.ts): the bare start without it is the stricter peer.
  ...(process.env.NODE_EXTRA_CA_CERTS ? { 'node -e 0, NODE_EXTRA_CA_CERTS empty': () => spawnSync(process.execPath, ['-e', '0'], { cwd: work, env: { ...process.env, NODE_EXTRA_CA_CERTS: '' }, encoding: 'utf8' }) } : {}),
};
for (const [name, f] of Object.entries(variants)) {
  const r = f();
  if (r.status !== 0 || (!name.startsWith('node -e 0') && !r.stdout.startsWith('Hello, world!'))) throw new Error(`${name}: ${r.status} ${r.stdout} ${r.stderr}`);
}
const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, f] of Object.entries(variants)) {
    const t = performance.now();
    f();
    times[name].push(performance.now() - t);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
for (const [k, v] of Object.entries(m)) console.log(`${k.padEnd(10)} ${v.toFixed(0).padStart(5)} ms (median of ${runs})`);
console.log(`launcher / wpm run:   ${(m.launcher / m['wpm run']).toFixed(2)}×`);
for (const peer of Object.keys(m).filter((k) => k.startsWith('node -e 0'))) {
  console.log(`launcher / ${peer}: ${(m.launcher / m[peer]).toFixed(2)}×`);
  console.log(`wpm run / ${peer}:  ${(m['wpm run'] / m[peer]).toFixed(2)}×`);
}
try {
  console.log(`cpu pressure: ${fs.readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0]}`);
} catch {
  // not Linux
}
fs.rmSync(work, { recursive: true, force: true });
