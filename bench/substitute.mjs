#!/usr/bin/env node
// Substitution throughput over loopback: `wpm copy --from URL ROOT` (narinfos, signature checks,
// references first, NAR streamed, hashed, unpacked and registered) against `curl` copying the same
// NAR bytes from the same `wpm serve` to /dev/null, as MB/s and a ratio (and, for context, curl
// writing them to files on the same disk). Needs `npm run build`.
//
//   node bench/substitute.mjs [--mb 300] [--paths 30] [--runs 3]
//
// The closure is generated once per run: --paths directories of incompressible files (a few big,
// many small) added with `wpm store add`, plus one text path referring to all of them, signed.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { LocalStore } from '../dist/store/index.js';

const { values: opts } = parseArgs({
  options: { mb: { type: 'string', default: '300' }, paths: { type: 'string', default: '30' }, runs: { type: 'string', default: '3' } },
});
const MB = 1e6;
const WPM = fileURLToPath(new URL('../bin/wpm.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'wpm-bench-subst-'));
const homeA = join(work, 'a');

function wpm(args, home, opts = {}) {
  const r = spawnSync(process.execPath, [WPM, ...args], { env: { ...process.env, WPM_HOME: home }, encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) throw new Error(`wpm ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

// The closure: per path one 4/5 big file and many small ones, all random bytes.
const perPath = (Number(opts.mb) * MB) / Number(opts.paths);
const block = randomBytes(4 << 20);
const dirs = [];
for (let p = 0; p < Number(opts.paths); p++) {
  const dir = join(work, 'src', `pkg-${p}`);
  mkdirSync(join(dir, 'lib'), { recursive: true });
  const fill = (size, stamp) => {
    const b = Buffer.allocUnsafe(size);
    for (let o = 0; o < size; o += block.length) block.copy(b, o, (stamp * 4099) % 4096, Math.min(block.length, size - o) + ((stamp * 4099) % 4096));
    b.writeUInt32LE(stamp, 0);
    return b;
  };
  writeFileSync(join(dir, 'lib', 'big.bin'), fill(Math.floor(perPath * 0.8), p * 1000));
  for (let i = 0; i < 100; i++) writeFileSync(join(dir, `f${i}.txt`), fill(Math.floor((perPath * 0.2) / 100), p * 1000 + i + 1));
  dirs.push(dir);
}
const t0 = Date.now();
const paths = wpm(['store', 'add', ...dirs], homeA).split('\n');
const storeA = LocalStore.open(homeA);
const root = await storeA.addText('closure-root', paths.join('\n') + '\n', paths);
const keyDir = join(work, 'keys');
const pub = wpm(['key', 'generate', 'bench-1', '--dir', keyDir], homeA);
wpm(['store', 'sign', '-r', '--key', join(keyDir, 'bench-1.sec'), root], homeA);
const infos = storeA.closure([root]).map((p) => storeA.requirePathInfo(p));
const bytes = infos.reduce((n, i) => n + i.narSize, 0);
console.error(`closure of ${infos.length} paths, ${(bytes / MB).toFixed(0)} MB of NAR, made in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// One server for both contenders.
const server = spawn(process.execPath, [WPM, 'serve', '--port', '0'], { env: { ...process.env, WPM_HOME: homeA }, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = /^(http:\S+)\n/.exec(out);
    if (m) resolve(m[1]);
  });
});
const narUrls = await Promise.all(
  infos.map(async (i) => {
    const text = await (await fetch(`${url}/${i.path.slice(11, 43)}.narinfo`)).text();
    return `${url}/${/^URL: (.*)$/m.exec(text)[1]}`;
  }),
);

function time(f) {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

const contenders = [
  {
    label: 'wpm copy --from (substitute, verify, unpack, register)',
    run: () => {
      const home = join(work, `b-${Math.random().toString(36).slice(2)}`);
      const s = time(() => wpm(['copy', '--from', url, '--trusted-public-keys', pub, root], home));
      rmSync(home, { recursive: true, force: true });
      return s;
    },
  },
  {
    label: 'curl, same NARs to /dev/null (one process, kept-alive connection)',
    run: () =>
      time(() => {
        const args = ['-sS', '--fail'];
        for (const u of narUrls) args.push('-o', '/dev/null', u);
        const r = spawnSync('curl', args, { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`curl failed: ${r.stderr}`);
      }),
  },
  {
    // For context: the same download written to files on the disk the stores are on.
    label: 'curl, same NARs to files (context: the disk writes)',
    run: () => {
      const dir = join(work, `curl-${Math.random().toString(36).slice(2)}`);
      mkdirSync(dir);
      const s = time(() => {
        const args = ['-sS', '--fail'];
        narUrls.forEach((u, i) => args.push('-o', join(dir, `${i}.nar`), u));
        const r = spawnSync('curl', args, { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`curl failed: ${r.stderr}`);
      });
      rmSync(dir, { recursive: true, force: true });
      return s;
    },
  },
];

// Warm up once, then interleave rounds so background load hits both alike; best time counts.
const best = contenders.map(() => Infinity);
for (const c of contenders) c.run();
for (let r = 0; r < Number(opts.runs); r++) contenders.forEach((c, i) => (best[i] = Math.min(best[i], c.run())));
server.kill('SIGTERM');

console.log(`substituting ${infos.length} paths, ${(bytes / MB).toFixed(0)} MB over loopback (best of ${opts.runs})`);
contenders.forEach((c, i) => console.log(`  ${c.label.padEnd(70)} ${best[i].toFixed(2)} s  ${(bytes / MB / best[i]).toFixed(0)} MB/s`));
console.log(`  ratio wpm/curl throughput: ${(best[1] / best[0]).toFixed(2)} (against curl to files: ${(best[2] / best[0]).toFixed(2)})`);
console.log(`  load average during the run: ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')} on ${(await import('node:os')).availableParallelism()} cores`);
rmSync(work, { recursive: true, force: true });
