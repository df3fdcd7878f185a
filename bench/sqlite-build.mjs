// Benchmark: a cold build of packages/sqlite (the sqlite3 shell) through the real CLI.
//
//   1. the scheduler's overhead: wall time of `wpm build --json` against the steps' own times
//      ('built' events carry durationMs): their sum, and the critical path (the longest chain of
//      dependent steps, the best any scheduler could do with enough cores);
//   2. wasm against native: the same compile and link commands (taken from the derivations, same
//      flags, same wasi sysroot from wpm's store) run by native clang-14 --target=wasm32-wasi,
//      and by native clang-22 (the LLVM version of clang.wasm) when installed.
//
// The toolchains are built first into the same fresh home and not counted: "cold" means no step
// of sqlite (nor wpm's own install tool) has been built. Run `npm run build` first;
// `apt-get install clang-14` (and lld-22 / clang-22 for the link and the second peer).
//   node bench/sqlite-build.mjs [-j N]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const wpmBin = path.join(root, 'bin/wpm.js');
const sqlitePkg = path.join(root, 'packages/sqlite/default.jsonnet');
const toolchains = path.join(root, 'packages/toolchains/default.jsonnet');
const jIndex = process.argv.indexOf('-j');
const jobs = jIndex > 0 ? process.argv[jIndex + 1] : String(os.availableParallelism());

function wpm(home, args) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [wpmBin, ...args], {
    env: { ...process.env, WPM_HOME: home },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`wpm ${args.join(' ')} failed:\n${r.stderr.slice(-3000)}`);
  return { ...r, ms: performance.now() - t };
}

const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-sqlite-'));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bench-native-'));
try {
  const tc = wpm(home, ['build', '--no-link', toolchains]);
  console.log(`toolchains (fetch + unpack, not counted): ${s(tc.ms)}`);

  // 1. The cold build.
  const build = wpm(home, ['build', '--no-link', '--json', '-j', jobs, sqlitePkg]);
  const events = build.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const built = new Map(events.filter((e) => e.type === 'built').map((e) => [e.drvPath, e]));
  const drvs = JSON.parse(wpm(home, ['show-derivation', '-r', sqlitePkg]).stdout);
  const longest = new Map();
  const chain = (drvPath) => {
    if (!longest.has(drvPath)) {
      const inputs = Object.keys(drvs[drvPath]?.inputDrvs ?? {});
      longest.set(drvPath, (built.get(drvPath)?.durationMs ?? 0) + Math.max(0, ...inputs.map(chain)));
    }
    return longest.get(drvPath);
  };
  const top = JSON.parse(build.stdout)[0].drvPath;
  const sum = [...built.values()].reduce((a, e) => a + e.durationMs, 0);
  const critical = chain(top);
  console.log(`\ncold build of sqlite, -j ${jobs}: ${built.size} steps`);
  for (const e of [...built.values()].sort((a, b) => b.durationMs - a.durationMs)) console.log(`  ${e.name.padEnd(28)} ${s(e.durationMs)}`);
  console.log(`wall time (wpm process, evaluation included): ${s(build.ms)}`);
  console.log(`sum of step times:                          ${s(sum)}  wall/sum ${ratio(build.ms, sum)}`);
  console.log(`critical path of step times:                ${s(critical)}  wall/critical path ${ratio(build.ms, critical)}`);
  console.log(`scheduler overhead (wall − critical path):  ${s(build.ms - critical)}`);

  // 2. Native peers: the derivations' own commands with host paths.
  const storeHost = path.join(home, 'store');
  const compiles = Object.values(drvs).filter((d) => d.args[0] === 'clang' && (d.name === 'sqlite3.o' || d.name === 'shell.o'));
  const link = Object.values(drvs).find((d) => d.name === 'sqlite3.wasm');
  const sysroot = compiles[0].args.find((a) => a.startsWith('--sysroot=')).slice('--sysroot='.length).replace('/wpm/store', storeHost);
  const toHost = (a) => a.replaceAll('/wpm/store', storeHost);
  const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || null;
  const runTimed = (cmd, args) =>
    new Promise((resolve, reject) => {
      const t = performance.now();
      const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      p.on('close', (code) => (code === 0 ? resolve(performance.now() - t) : reject(new Error(`${cmd} failed: ${err.slice(-2000)}`))));
    });

  async function native(clang, version) {
    // clang < 15 knows wasm32-wasi, not wasm32-wasip1, and looks for libc headers in
    // include/wasm32-wasi; with an older clang, its own resource dir keeps its builtin headers
    // matched to the compiler.
    const old = version < 15;
    const flags = (d) =>
      d.args.slice(1).flatMap((a, i, all) => {
        if (all[i - 1] === '-o') return [path.join(scratch, `${version}-${d.name}`)];
        if (old && a === '--target=wasm32-wasip1') return ['--target=wasm32-wasi', '-isystem', `${sysroot}/include/wasm32-wasip1`];
        if (old && a.startsWith('-resource-dir=')) return [];
        return [toHost(a)];
      });
    const t = performance.now();
    const times = await Promise.all(compiles.map((d) => runTimed(clang, flags(d)).then((ms) => [d.name, ms])));
    const compileWall = performance.now() - t;
    const ld = which('wasm-ld-22') ?? which('wasm-ld-19') ?? which('wasm-ld');
    let linkMs = null;
    if (ld) {
      const args = link.args.slice(1).map((a, i, all) => {
        if (all[i - 1] === '-o') return path.join(scratch, `${version}-sqlite3.wasm`);
        const c = compiles.find((d) => a.endsWith(`-${d.name}`));
        return c ? path.join(scratch, `${version}-${c.name}`) : toHost(a);
      });
      linkMs = await runTimed(ld, args).catch(() => null);
    }
    return { times: Object.fromEntries(times), compileWall, linkMs, ld };
  }

  const wpmStep = (name) => [...built.values()].find((e) => e.name === name).durationMs;
  const wpmCompileLink = critical - chain(Object.keys(drvs).find((p) => drvs[p].name === 'sqlite-autoconf-3520000'));
  for (const [cmd, version] of [['clang-14', 14], ['clang-22', 22]]) {
    if (!which(cmd)) {
      console.log(`\n${cmd}: not installed, skipped`);
      continue;
    }
    const n = await native(cmd, version);
    console.log(`\nnative ${cmd} (--target=${version < 15 ? 'wasm32-wasi' : 'wasm32-wasip1'}, same flags and sysroot), both files at once:`);
    for (const name of ['sqlite3.o', 'shell.o']) {
      console.log(`  ${name.padEnd(10)} native ${s(n.times[name])}  wpm ${s(wpmStep(name))}  wpm/native ${ratio(wpmStep(name), n.times[name])}`);
    }
    const nativeTotal = n.compileWall + (n.linkMs ?? 0);
    console.log(`  link (${n.ld ? path.basename(n.ld) : 'no wasm-ld'}): ${n.linkMs === null ? 'failed or skipped' : s(n.linkMs)}  wpm ${s(wpmStep('sqlite3.wasm'))}`);
    console.log(`  compile+link wall: native ${s(nativeTotal)}, wpm critical path from source ${s(wpmCompileLink)} → ${ratio(wpmCompileLink, nativeTotal)}; wpm wall ${s(build.ms)} → ${ratio(build.ms, nativeTotal)}`);
  }
} finally {
  // The store is read-only by design; make it writable again to delete it.
  spawnSync('chmod', ['-R', 'u+w', home]);
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(scratch, { recursive: true, force: true });
}
