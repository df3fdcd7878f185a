// Benchmark: evaluate 10,000 derivations with shared inputs through the real CLI
// (`wpm eval`), cold (fresh store, no evaluation cache), again with the .drv files present, and
// with the evaluation cache. Goal: under 2 s cold on this machine. Two peers in the same run:
//   - Nix 2.8's `nix-instantiate` on the same derivations (bench/fixtures/eval-many.nix), in a
//     fresh chroot store, cold and again;
//   - libjsonnet alone: the same Jsonnet objects forced and serialised as wpm.derivation does,
//     with no native call and no hashing, as a whole process: the floor any wpm built on
//     @hanazuki/node-jsonnet starts from.
// Run `npm run build` first.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, 'bench/fixtures/eval-many.jsonnet');
const n = Number(process.argv[2] ?? 10000);

function timed(cmd, args, env = {}) {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

function wpmEval(home, env = {}) {
  const r = timed(process.execPath, [path.join(root, 'bin/wpm.js'), 'eval', '--json', '--arg', `n=${n}`, file], { WPM_HOME: home, ...env });
  return { ms: r.ms, count: Object.keys(JSON.parse(r.stdout)).length };
}

/** The floor: libjsonnet building and serialising the same specs, nothing else. */
const FLOOR = `
import { Jsonnet } from '@hanazuki/node-jsonnet';
const vm = new Jsonnet();
vm.extCode('n', '${n}');
const out = await vm.evaluateSnippet(\`
local derivation(spec) = local s = std.toString(spec);
  { type: 'derivation', name: spec.name, drvPath: s, out: s, outputs: { out: s } };
local shared = '/wpm/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-shared.txt';
local tool = '/wpm/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-tool.wasm';
{
  ['d' + i]: derivation({ name: 'd' + i, builder: tool, args: ['tool', shared, '--index', std.toString(i)], env: { A: 'b' } })
  for i in std.range(1, std.extVar('n'))
}\`);
process.stdout.write(String(Object.keys(JSON.parse(out)).length));
`;

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-eval-'));
const cold = wpmEval(home, { WPM_EVAL_CACHE: '0' });
const again = wpmEval(home, { WPM_EVAL_CACHE: '0' }); // .drv files already in the store
wpmEval(home); // fills the evaluation cache
const cached = wpmEval(home);
fs.rmSync(home, { recursive: true, force: true });

const floor = timed(process.execPath, ['--input-type=module', '-e', FLOOR]);
if (floor.stdout !== String(n)) throw new Error(`libjsonnet floor evaluated ${floor.stdout} derivations`);

let nix = null;
if (spawnSync('nix-instantiate', ['--version']).status === 0) {
  const nixRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-nix-'));
  const args = ['--store', nixRoot, '--arg', 'n', String(n), path.join(root, 'bench/fixtures/eval-many.nix')];
  const nixCold = timed('nix-instantiate', args);
  if (nixCold.stdout.trim().split('\n').length !== n) throw new Error('nix-instantiate printed the wrong number of paths');
  nix = { cold: nixCold.ms, again: timed('nix-instantiate', args).ms };
  fs.rmSync(nixRoot, { recursive: true, force: true });
} else {
  console.error('nix-instantiate not found (apt-get install nix-bin): no Nix figures');
}

const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const x = (a, b) => `${(a / b).toFixed(2)}×`;
console.log(`derivations: ${cold.count}, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`wpm, cold (fresh store, writes every .drv): ${s(cold.ms)}  (${((cold.ms * 1000) / n).toFixed(0)} µs per derivation)`);
console.log(`wpm, again (.drv files present):           ${s(again.ms)}`);
console.log(`wpm, evaluation cache hit:                 ${s(cached.ms)}`);
console.log(`libjsonnet alone (the floor):              ${s(floor.ms)}  → wpm again / floor ${x(again.ms, floor.ms)}`);
if (nix) {
  console.log(`nix-instantiate, cold (fresh store):       ${s(nix.cold)}  → wpm cold / Nix cold ${x(cold.ms, nix.cold)}`);
  console.log(`nix-instantiate, again:                    ${s(nix.again)}  → wpm again / Nix again ${x(again.ms, nix.again)}`);
}
console.log(`goal: cold under 2 s → ${cold.ms < 2000 ? 'met' : 'not met'}`);
