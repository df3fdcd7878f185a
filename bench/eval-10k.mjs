// Benchmark: evaluate 10,000 derivations with shared inputs through the real CLI
// (`wpm eval`), cold (fresh store, no evaluation cache) and warm (evaluation cache hit).
// Goal: under 2 s cold on this machine. Run `npm run build` first.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, 'bench/fixtures/eval-many.jsonnet');
const n = Number(process.argv[2] ?? 10000);

function run(home, env = {}) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [path.join(root, 'bin/wpm.js'), 'eval', '--json', '--arg', `n=${n}`, file], {
    env: { ...process.env, WPM_HOME: home, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(r.stderr);
  return { ms, count: Object.keys(JSON.parse(r.stdout)).length };
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-eval-'));
const cold = run(home, { WPM_EVAL_CACHE: '0' });
const instantiated = run(home, { WPM_EVAL_CACHE: '0' }); // .drv files already in the store
const warmFill = run(home);
const warm = run(home);
fs.rmSync(home, { recursive: true, force: true });
console.log(`derivations: ${cold.count}`);
console.log(`cold (fresh store, writes every .drv): ${(cold.ms / 1000).toFixed(2)} s  (${((cold.ms * 1000) / n).toFixed(0)} µs per derivation)`);
console.log(`re-evaluation, .drv files present:     ${(instantiated.ms / 1000).toFixed(2)} s`);
console.log(`evaluation cache hit:                  ${(warm.ms / 1000).toFixed(2)} s  (${(instantiated.ms / warm.ms).toFixed(1)}× faster than re-evaluating)`);
console.log(`goal: cold under 2 s → ${cold.ms < 2000 ? 'met' : 'not met'}`);
void warmFill;
