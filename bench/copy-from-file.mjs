#!/usr/bin/env node
// Substituting a closure from a directory cache: `wpm copy --from file://CACHE ROOT` (durable:
// every file fsynced before its path is registered) against Nix 2.8's `nix copy --from
// file://CACHE` into a local store (Nix as configured by default: it checks signatures and
// fsyncs its SQLite database, not the store paths), the same cache, fresh stores on the same disk.
// Wall and CPU time (user + system of the process tree) for each, best of --runs, interleaved;
// before each run the page cache's dirty data is written back (untimed), so wpm's flush does not
// also write what Nix left dirty. Stores are deleted only at the end: ext4 skips inodes deleted in
// the last half minute when it allocates new ones, which makes creating files after a large
// deletion several times slower (seen here as most of the system time).
// A third contender runs Nix's copy and then `sync -f` on its store: Nix with wpm's promise kept.
// For context, `cp` of the cache's NAR files and `sync -f`: what the disk needs for the bytes.
// Needs `npm run build` and nix-bin.
//
//   node bench/copy-from-file.mjs [--mb 110] [--paths 24] [--runs 3] [--compression none|xz|zstd…]
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { MB, WPM, makeClosure, nixEnv, scratch, timed, timedThenSync, wpm } from './lib/closure.mjs';

const { values: opts } = parseArgs({
  options: {
    mb: { type: 'string', default: '110' },
    paths: { type: 'string', default: '24' },
    runs: { type: 'string', default: '3' },
    compression: { type: 'string', default: 'none' },
    keep: { type: 'boolean', default: false },
  },
});
const work = scratch('wpm-bench-copy-');
const homeA = join(work, 'a');
const t0 = Date.now();
const { root, pub, infos, bytes } = await makeClosure(work, homeA, { mb: Number(opts.mb), paths: Number(opts.paths) });
const cache = join(work, 'cache');
wpm(['copy', '--to', `file://${cache}`, '--compression', opts.compression, root], homeA);
console.error(`closure of ${infos.length} paths, ${(bytes / MB).toFixed(0)} MB of NAR (${opts.compression}), made in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const nixCopy = (dir) => ['--extra-experimental-features', 'nix-command', 'copy', '--from', `file://${cache}`, '--store', `local?root=${dir}`, '--option', 'trusted-public-keys', pub, root];
let n = 0;
const contenders = [
  {
    label: 'wpm copy --from file:// (durable)',
    run: () => {
      const home = join(work, `wpm-${n++}`);
      return timed(WPM, ['copy', '--from', `file://${cache}`, '--trusted-public-keys', pub, root], { env: { ...process.env, WPM_HOME: home } });
    },
  },
  {
    label: 'nix copy --from file:// (local store, defaults)',
    run: () => {
      const dir = join(work, `nix-${n++}`);
      return timed('nix', nixCopy(dir), { env: nixEnv(join(dir, 'home')) });
    },
  },
  {
    // The same, made as durable as wpm: the disk's share of wpm's time is in this one too.
    label: 'nix copy --from file://, then sync -f',
    run: () => {
      const dir = join(work, `nix-${n++}`);
      return timedThenSync(dir, 'nix', nixCopy(dir), { env: nixEnv(join(dir, 'home')) });
    },
  },
  {
    // What the disk alone takes to hold this many bytes: the NAR files copied whole, then flushed.
    label: 'cp of the NAR files, then sync -f (context)',
    run: () => {
      const dir = join(work, `cp-${n++}`);
      return timedThenSync(dir, 'cp', ['-r', join(cache, 'nar'), dir]);
    },
  },
];

const best = contenders.map(() => ({ wall: Infinity, cpu: Infinity }));
for (const c of contenders) c.run(); // warm the page cache and the binaries
for (let r = 0; r < Number(opts.runs); r++) {
  contenders.forEach((c, i) => {
    const t = c.run();
    best[i].wall = Math.min(best[i].wall, t.wall);
    best[i].cpu = Math.min(best[i].cpu, t.cpu);
  });
}
console.log(`copying ${infos.length} paths, ${(bytes / MB).toFixed(0)} MB of NAR from a file:// cache (${opts.compression}), best of ${opts.runs}:`);
contenders.forEach((c, i) => console.log(`  ${c.label.padEnd(50)} ${best[i].wall.toFixed(2)} s wall  ${best[i].cpu.toFixed(2)} s CPU  ${(bytes / MB / best[i].wall).toFixed(0)} MB/s`));
console.log(`  wpm/nix speed: ${(best[1].wall / best[0].wall).toFixed(2)}× by wall time, ${(best[1].cpu / best[0].cpu).toFixed(2)}× by CPU time`);
console.log(`  wpm/(nix, then sync) speed: ${(best[2].wall / best[0].wall).toFixed(2)}× by wall time`);
console.log(`  load: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores; ${readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0]}`);
if (!opts.keep) rmSync(work, { recursive: true, force: true });
else console.log(`  kept ${work}`);
